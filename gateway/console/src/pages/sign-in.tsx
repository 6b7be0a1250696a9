import { useEffect, useState } from 'react';
import { developmentToken, gql, readClaims } from '../lib/api';
import { useI18n } from '../lib/i18n';

/** Sign-in with a token; on this machine in development, the platform's own admin token is offered. */
export function SignIn(props: { onSignedIn: (token: string) => void }) {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  const [offered, setOffered] = useState<string>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    void developmentToken().then(setOffered);
  }, []);

  const signIn = async (candidate: string) => {
    const trimmed = candidate.trim();
    if (!readClaims(trimmed)) return setError(t.invalidToken);
    try {
      // A cheap call that needs a valid token: the platform, not the page, decides.
      await gql(trimmed, '{ terms { code } }');
      props.onSignedIn(trimmed);
    } catch (e) {
      setError(`${t.invalidToken}: ${(e as Error).message}`);
    }
  };

  return (
    <section className="page sign-in" data-testid="sign-in">
      <h2>{t.signIn}</h2>
      <p>{t.signInIntro}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void signIn(token);
        }}
      >
        <label>
          {t.token}
          <textarea name="token" rows={4} value={token} onChange={(e) => setToken(e.target.value)} spellCheck={false} />
        </label>
        <button type="submit">{t.signIn}</button>
      </form>
      {offered && (
        <p>
          <button type="button" data-testid="use-dev-token" onClick={() => void signIn(offered)}>
            {t.useDevToken}
          </button>{' '}
          <span className="muted">{t.devTokenNote}</span>
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
