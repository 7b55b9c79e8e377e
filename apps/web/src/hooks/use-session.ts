import { createContext, useContext } from 'react';
import type { SessionView } from '../api/types';
import { allows, type Role } from '../lib/roles';

/** The signed-in caller (name and role); the app provides it once `GET /session` answered. */
export const SessionContext = createContext<SessionView | undefined>(undefined);

export function useSession(): SessionView | undefined {
  return useContext(SessionContext);
}

/** True when the caller's role may do what needs `need`; the server decides anyway. */
export function useCan(need: Role): boolean {
  return allows(useContext(SessionContext)?.role, need);
}
