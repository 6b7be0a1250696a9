import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { readClaims } from './lib/api';
import type { Lang } from './lib/format';
import { I18nContext, MESSAGES } from './lib/i18n';
import { SessionContext, storedToken, storeToken } from './lib/session';
import { Dashboard } from './pages/dashboard';
import { ReportPage } from './pages/report';
import { SignIn } from './pages/sign-in';
import { ReportingStatus } from './pages/status';

// GraphiQL is the largest part of the console: it is loaded when the explorer is opened.
const Explorer = lazy(() => import('./pages/explorer').then((m) => ({ default: m.Explorer })));

const PAGES = ['dashboard', 'status', 'report', 'explorer'] as const;
type Page = (typeof PAGES)[number];

function pageOf(hash: string): Page {
  const name = hash.replace(/^#\/?/, '');
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : 'dashboard';
}

function initialLang(): Lang {
  return localStorage.getItem('lgr.console.lang') === 'en' ? 'en' : 'vi';
}

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [token, setToken] = useState<string | undefined>(storedToken);
  const [page, setPage] = useState<Page>(() => pageOf(location.hash));

  useEffect(() => {
    const onHash = () => setPage(pageOf(location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    localStorage.setItem('lgr.console.lang', lang);
    document.documentElement.lang = lang;
  }, [lang]);

  const i18n = useMemo(() => ({ lang, t: MESSAGES[lang] }), [lang]);
  const session = useMemo(() => (token ? { token, claims: readClaims(token) ?? {} } : undefined), [token]);
  const t = i18n.t;
  const signIn = (next: string | undefined) => {
    storeToken(next);
    setToken(next);
  };

  return (
    <I18nContext.Provider value={i18n}>
      <SessionContext.Provider value={session}>
        <header className="top">
          <h1>{t.appTitle}</h1>
          {session && (
            <nav>
              {PAGES.map((p) => (
                <a key={p} href={`#/${p}`} className={p === page ? 'active' : ''} data-testid={`nav-${p}`}>
                  {{ dashboard: t.navDashboard, status: t.navStatus, report: t.navReport, explorer: t.navExplorer }[p]}
                </a>
              ))}
            </nav>
          )}
          <div className="who">
            <select
              aria-label="language"
              data-testid="language"
              value={lang}
              onChange={(e) => setLang(e.target.value as Lang)}
            >
              <option value="vi">Tiếng Việt</option>
              <option value="en">English</option>
            </select>
            {session && (
              <>
                <span data-testid="identity">
                  {session.claims.sub ?? '?'} · {t.role}: <strong>{session.claims.role ?? '?'}</strong> · {t.units}:{' '}
                  <strong>
                    {session.claims.role === 'admin' || !session.claims.units?.length
                      ? t.allUnits
                      : session.claims.units.join(', ')}
                  </strong>
                </span>
                <button type="button" onClick={() => signIn(undefined)}>
                  {t.signOut}
                </button>
              </>
            )}
          </div>
        </header>
        <main>
          {!session ? (
            <SignIn onSignedIn={signIn} />
          ) : page === 'dashboard' ? (
            <Dashboard />
          ) : page === 'status' ? (
            <ReportingStatus />
          ) : page === 'report' ? (
            <ReportPage />
          ) : (
            <Suspense fallback={<p>{t.loading}</p>}>
              <Explorer />
            </Suspense>
          )}
        </main>
      </SessionContext.Provider>
    </I18nContext.Provider>
  );
}
