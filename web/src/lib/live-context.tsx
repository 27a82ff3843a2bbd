import { createContext, type ReactNode, useContext } from 'react';
import { type Live, useLive } from './use-live';

/** One socket.io connection for the whole dashboard, shared by every page. */
const LiveContext = createContext<Live | null>(null);

export function LiveProvider({ children }: { children: ReactNode }) {
  const live = useLive();
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

export function useLiveData(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLiveData outside LiveProvider');
  return live;
}
