import { useEffect } from 'react';

/** Calls `fn` every `ms` while the component is shown (and the tab visible: a hidden tab waits for its return). */
export function useEvery(ms: number, fn: () => void): void {
  useEffect(() => {
    const id = setInterval(() => {
      if (document.visibilityState !== 'hidden') fn();
    }, ms);
    const onVisible = () => {
      if (document.visibilityState === 'visible') fn();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(id);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [ms, fn]);
}
