import { lazy, type ReactNode, Suspense } from 'react';
import { BrowserRouter, NavLink, Route, Routes, useLocation } from 'react-router';
import type { Permission } from '../../shared/auth';
import { ConnectionBadge } from './components/ConnectionBadge';
import { LoadFailed } from './components/LoadFailed';
import { logOut } from './lib/auth';
import { LANGS, type Lang, useI18n, useMessages } from './lib/i18n';
import { LiveProvider, useLiveData } from './lib/live-context';
import { useCan, useSession } from './lib/session';
import { type Theme, useTheme } from './lib/theme';

// Each page is its own chunk: the first screen loads only the overview's code.
// The overview is the first screen: its code is fetched at once, beside the session
// check, rather than after it (bench: time to the first live value).
const overviewChunk = typeof location !== 'undefined' && location.pathname === '/' ? import('./pages/OverviewPage') : undefined;
const OverviewPage = lazy(() => overviewChunk ?? import('./pages/OverviewPage'));
const EnergyPage = lazy(() => import('./pages/EnergyPage'));
const WaterPage = lazy(() => import('./pages/WaterPage'));
const HeatPage = lazy(() => import('./pages/HeatPage'));
const ComfortPage = lazy(() => import('./pages/ComfortPage'));
const DevicesPage = lazy(() => import('./pages/DevicesPage'));
const AlertsPage = lazy(() => import('./pages/AlertsPage'));
const NotificationsPage = lazy(() => import('./pages/NotificationsPage'));
const SimulatorPage = lazy(() => import('./pages/SimulatorPage'));

const messages = {
  fr: {
    title: 'Le Numérique — supervision',
    nav: 'Navigation principale',
    overview: 'Vue d’ensemble',
    energy: 'Énergie',
    water: 'Eau',
    heat: 'Chaleur et air',
    comfort: 'Confort',
    devices: 'Équipements',
    alerts: 'Alertes',
    notifications: 'Notifications',
    simulator: 'Simulateur',
    language: 'Langue',
    theme: 'Thème',
    themeAuto: 'Système',
    themeLight: 'Clair',
    themeDark: 'Sombre',
    logout: 'Se déconnecter',
    loading: 'Chargement…',
    notFound: 'Cette page n’existe pas.',
    loadFailed: 'Cette partie du tableau de bord n’a pas pu être chargée (serveur injoignable ou redémarré).',
    reload: 'Recharger',
    forbidden: 'Votre rôle ne donne pas accès à cette page.',
  },
  en: {
    title: 'Le Numérique — monitoring',
    nav: 'Main navigation',
    overview: 'Overview',
    energy: 'Energy',
    water: 'Water',
    heat: 'Heat and air',
    comfort: 'Comfort',
    devices: 'Devices',
    alerts: 'Alerts',
    notifications: 'Notifications',
    simulator: 'Simulator',
    language: 'Language',
    theme: 'Theme',
    themeAuto: 'System',
    themeLight: 'Light',
    themeDark: 'Dark',
    logout: 'Log out',
    loading: 'Loading…',
    notFound: 'This page does not exist.',
    loadFailed: 'This part of the dashboard could not be loaded (the server is unreachable or restarting).',
    reload: 'Reload',
    forbidden: 'Your role does not give access to this page.',
  },
};

type PageKey = 'overview' | 'energy' | 'water' | 'heat' | 'comfort' | 'devices' | 'alerts' | 'notifications' | 'simulator';
interface Page {
  key: PageKey;
  path: string;
  element: ReactNode;
  /** Shown to those with this permission only (the server checks too). */
  permission?: Permission;
}
const PAGES: Page[] = [
  { key: 'overview', path: '/', element: <OverviewPage /> },
  { key: 'energy', path: '/energy', element: <EnergyPage /> },
  { key: 'water', path: '/water', element: <WaterPage /> },
  { key: 'heat', path: '/heat', element: <HeatPage /> },
  { key: 'comfort', path: '/comfort', element: <ComfortPage /> },
  { key: 'devices', path: '/devices/*', element: <DevicesPage /> },
  { key: 'alerts', path: '/alerts', element: <AlertsPage /> },
  { key: 'notifications', path: '/notifications', element: <NotificationsPage /> },
  { key: 'simulator', path: '/simulator', element: <SimulatorPage />, permission: 'simulator' },
];

function Guard({ permission, children }: { permission?: Permission; children: ReactNode }) {
  const t = useMessages(messages);
  const allowed = useCan(permission ?? 'read');
  return allowed ? children : <p className="notice">{t.forbidden}</p>;
}

function Shell() {
  const t = useMessages(messages);
  const { lang, setLang } = useI18n();
  const [theme, setTheme] = useTheme();
  const live = useLiveData();
  const me = useSession();
  const { pathname } = useLocation();
  const visible = PAGES.filter((p) => !p.permission || me.permissions.includes(p.permission));
  return (
    <>
      <a className="skip-link" href="#main">
        {lang === 'fr' ? 'Aller au contenu' : 'Skip to content'}
      </a>
      <header className="app-header">
        <h1>{t.title}</h1>
        <div className="header-tools">
          <ConnectionBadge state={live.state} />
          <label className="tool">
            <span>{t.language}</span>
            <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} data-testid="language">
              {LANGS.map((l) => (
                <option key={l} value={l}>
                  {l === 'fr' ? 'Français' : 'English'}
                </option>
              ))}
            </select>
          </label>
          <label className="tool">
            <span>{t.theme}</span>
            <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
              <option value="auto">{t.themeAuto}</option>
              <option value="light">{t.themeLight}</option>
              <option value="dark">{t.themeDark}</option>
            </select>
          </label>
          <span className="user" title={me.role}>
            {me.username}
          </span>
          <button type="button" className="link-button" onClick={() => void logOut().then(() => window.location.assign('/'))}>
            {t.logout}
          </button>
        </div>
      </header>
      <nav className="app-nav" aria-label={t.nav}>
        {visible.map((p) => (
          <NavLink key={p.key} to={p.path.replace('/*', '')} end={p.path === '/'} data-testid={`nav-${p.key}`}>
            {t[p.key]}
          </NavLink>
        ))}
      </nav>
      <main className="app-main" id="main">
        <LoadFailed message={t.loadFailed} retry={t.reload} resetKey={pathname}>
        <Suspense
          fallback={
            <p className="notice" role="status">
              {t.loading}
            </p>
          }
        >
          <Routes>
            {PAGES.map((p) => (
              <Route key={p.key} path={p.path} element={<Guard permission={p.permission}>{p.element}</Guard>} />
            ))}
            <Route path="*" element={<p className="notice">{t.notFound}</p>} />
          </Routes>
        </Suspense>
        </LoadFailed>
      </main>
    </>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <LiveProvider>
        <Shell />
      </LiveProvider>
    </BrowserRouter>
  );
}
