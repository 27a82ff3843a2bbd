import { CSRF_HEADER, type LoginResponse, LoginResponseSchema, type MeResponse, MeResponseSchema } from '../../../shared/auth';

/**
 * The browser's session: the server sets an HttpOnly cookie on login, so the
 * page never holds the token; every fetch and the socket.io connection carry
 * the cookie (same origin).
 */
export async function fetchMe(signal?: AbortSignal): Promise<MeResponse | null> {
  const res = await fetch('/api/v1/auth/me', { headers: { Accept: 'application/json' }, signal });
  if (res.status === 401) return null;
  if (!res.ok) throw new Error(`Impossible de vérifier la session (HTTP ${res.status}).`);
  return MeResponseSchema.parse(await res.json());
}

export async function logIn(username: string, password: string): Promise<LoginResponse> {
  const res = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', [CSRF_HEADER]: '1' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status === 401) throw new Error('Identifiant ou mot de passe incorrect.');
  if (res.status === 429) throw new Error('Trop de tentatives : réessayez dans quelques minutes.');
  if (!res.ok) throw new Error(`Connexion impossible (HTTP ${res.status}).`);
  return LoginResponseSchema.parse(await res.json());
}

export async function logOut(): Promise<void> {
  // Writes sent with the session cookie carry the CSRF header (server/api/hardening.ts).
  await fetch('/api/v1/auth/logout', { method: 'POST', headers: { [CSRF_HEADER]: '1' } });
}
