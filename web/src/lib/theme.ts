import { useCallback, useEffect, useState } from 'react';

/** Light, dark, or the system's choice (the default); kept in localStorage, applied as <html data-theme>. */
export type Theme = 'auto' | 'light' | 'dark';
const KEY = 'lnm.theme';

export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setThemeState] = useState<Theme>(() => {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : 'auto';
  });
  useEffect(() => {
    if (theme === 'auto') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);
  const setTheme = useCallback((t: Theme) => {
    setThemeState(t);
    localStorage.setItem(KEY, t);
  }, []);
  return [theme, setTheme];
}
