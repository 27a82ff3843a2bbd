import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import type { MeResponse } from '../../../shared/auth';
import { fetchMe, logIn } from '../lib/auth';
import { SessionProvider } from '../lib/session';

/** Shows the login form until the session cookie is valid, then the dashboard. */
export function AuthGate({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<MeResponse | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    fetchMe(controller.signal).then(setMe, (err: unknown) => {
      if (!controller.signal.aborted) setError(err instanceof Error ? err.message : String(err));
    });
    return () => controller.abort();
  }, []);

  if (me) return <SessionProvider me={me}>{children}</SessionProvider>;
  if (me === undefined && error === null) {
    return (
      <p className="notice" role="status">
        Connexion…
      </p>
    );
  }
  return <LoginForm onLoggedIn={setMe} initialError={error} />;
}

function LoginForm({ onLoggedIn, initialError }: { onLoggedIn: (me: MeResponse) => void; initialError: string | null }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    logIn(username, password).then(
      (res) => onLoggedIn({ ...res.user, via: 'session' }),
      (err: unknown) => {
        setError(err instanceof Error ? err.message : String(err));
        setBusy(false);
      },
    );
  };

  return (
    <main className="login">
      <form className="panel login-form" onSubmit={submit} aria-labelledby="login-title" data-testid="login-form">
        <h1 id="login-title">Le Numérique — supervision</h1>
        <label>
          Identifiant
          <input name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          Mot de passe
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          Se connecter
        </button>
      </form>
    </main>
  );
}
