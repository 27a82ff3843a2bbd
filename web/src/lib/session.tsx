import { createContext, type ReactNode, useContext } from 'react';
import type { MeResponse, Permission } from '../../../shared/auth';

/** Who is logged in, for what the interface offers (the server checks again on every call). */
const SessionContext = createContext<MeResponse | null>(null);

export function SessionProvider({ me, children }: { me: MeResponse; children: ReactNode }) {
  return <SessionContext.Provider value={me}>{children}</SessionContext.Provider>;
}

export function useSession(): MeResponse {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useSession outside SessionProvider');
  return me;
}

export function useCan(permission: Permission): boolean {
  return useSession().permissions.includes(permission);
}
