import type { Child } from "hono/jsx";
import type { Role } from "../../workers/lib/vocabulary";
import { currentViewer } from "./auth/session";

export interface LayoutProps {
  title: string;
  children: Child;
  /** Extra stylesheet/script paths for this page (same origin only: the CSP forbids others). */
  styles?: string[];
  scripts?: string[];
}

/** Navigation by role: each person sees what they can use (patients never see the API). */
const NAV: Record<"anonymous" | Role, { href: string; label: string }[]> = {
  anonymous: [
    { href: "/", label: "Home" },
    { href: "/library", label: "Library" },
    { href: "/docs", label: "API" },
  ],
  patient: [
    { href: "/chat", label: "Companion" },
    { href: "/track", label: "Track" },
    { href: "/assessments", label: "Assessments" },
    { href: "/safety-plan", label: "Safety plan" },
    { href: "/sessions", label: "Sessions" },
    { href: "/summary", label: "Between sessions" },
    { href: "/wearables", label: "Wearables" },
    { href: "/library", label: "Library" },
    { href: "/care-team", label: "Care team" },
    { href: "/notifications", label: "Notifications" },
  ],
  clinician: [
    { href: "/clinician", label: "Caseload" },
    { href: "/clinician/assessments", label: "Assessments" },
    { href: "/clinician/outcomes", label: "Outcomes" },
    { href: "/sessions", label: "Sessions" },
    { href: "/notifications", label: "Notifications" },
  ],
  admin: [
    { href: "/admin", label: "Console" },
    { href: "/admin/ops", label: "Ops" },
    { href: "/admin/notifications", label: "Dead letters" },
    { href: "/admin/outcomes", label: "Outcomes" },
    { href: "/docs", label: "API" },
  ],
};

function navFor(): { href: string; label: string }[] {
  const viewer = currentViewer();
  return NAV[viewer?.role ?? "anonymous"];
}

/**
 * Sign in, or Account + Sign out, from the request's verified session. Outside the identity
 * middleware (no request context) only a neutral "Account" link is shown.
 */
function AccountNav() {
  const viewer = currentViewer();
  if (!viewer) {
    return (
      <li>
        <a href="/account">Account</a>
      </li>
    );
  }
  if (!viewer.signedIn) {
    return (
      <li>
        <a href="/login">Sign in</a>
      </li>
    );
  }
  return (
    <>
      <li>
        <a href="/account">Account</a>
      </li>
      <li>
        <form method="post" action="/logout" class="nav-form">
          <input type="hidden" name="csrf" value={viewer.csrf} />
          <button type="submit" class="link">
            Sign out
          </button>
        </form>
      </li>
    </>
  );
}

/** The page shell: readable without JavaScript, one column at phone widths. */
export function Layout({ title, children, styles = [], scripts = [] }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${title} · Haven`}</title>
        <link rel="stylesheet" href="/assets/haven.css" />
        <link rel="manifest" href="/manifest.webmanifest" />
        <meta name="theme-color" content="#2f5d62" />
        {styles.map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <a class="brand" href="/">
            Haven
          </a>
          <nav aria-label="Main">
            <ul>
              {navFor().map((item) => (
                <li>
                  <a href={item.href}>{item.label}</a>
                </li>
              ))}
              <AccountNav />
            </ul>
          </nav>
        </header>
        <main id="main">{children}</main>
        <footer class="site-footer">
          <p>
            If you are in danger or thinking about ending your life, call your local emergency number now. In
            the US call or text <a href="tel:988">988</a>; in the UK and Ireland call Samaritans on{" "}
            <a href="tel:116123">116 123</a>; in the EU call <a href="tel:112">112</a>.
          </p>
          <p class="muted">Haven's companion is an AI, not a clinician.</p>
        </footer>
        <script src="/assets/pwa.js" defer />
        {scripts.map((src) => (
          <script src={src} defer />
        ))}
      </body>
    </html>
  );
}
