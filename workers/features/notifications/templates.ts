import { z } from "zod";
import type { Channel } from "../../db/schema";
import type { EventType } from "../../lib/events";

/**
 * Notification templates per event type, channel and locale. Two kinds of text:
 *  - `title` and `preview`: what a lock screen, a push banner, an email subject and an SMS show.
 *    They take NO variables at all, so nothing about a person's health or care can leak there
 *    ("You have a new message in Haven", never the content).
 *  - `body`: the in-app entry and the email body, shown after sign-in or inside the mailbox;
 *    variables (validated per event type) are limited to a link and, for appointments, the
 *    local time.
 */

export const LOCALES = ["en", "es"] as const;
export type Locale = (typeof LOCALES)[number];

/** Picks a supported locale from a tag ("es-MX" → "es"), English otherwise. */
export function pickLocale(tag: string | null | undefined): Locale {
  const lang = (tag ?? "").toLowerCase().split("-")[0];
  return (LOCALES as readonly string[]).includes(lang ?? "") ? (lang as Locale) : "en";
}

const link = z.string().url();
const when = z.string().min(1).max(80);
const VARS = {
  none: z.object({ link }).strict(),
  appointment: z.object({ link, when }).strict(),
  // An ops alert: the rule's name (never PHI: rules aggregate series without it) and its state.
  ops: z
    .object({
      link,
      when,
      alert: z.string().regex(/^[A-Za-z0-9_.:-]{1,120}$/),
      state: z.enum(["firing", "resolved"]),
    })
    .strict(),
} as const;

interface Text {
  title: string;
  preview: string;
  body: string;
}
interface Template {
  vars: keyof typeof VARS;
  text: Record<Locale, Text>;
}

const T: Record<EventType, Template> = {
  "crisis.detected": {
    vars: "none",
    text: {
      en: {
        title: "Haven: urgent care-team alert",
        preview: "Open Haven now to review.",
        body: "A patient on your care team may need urgent help. Review the alert: {link}",
      },
      es: {
        title: "Haven: alerta urgente del equipo",
        preview: "Abra Haven ahora para revisarla.",
        body: "Un paciente de su equipo puede necesitar ayuda urgente. Revise la alerta: {link}",
      },
    },
  },
  "alert.acknowledged": {
    vars: "none",
    text: {
      en: {
        title: "Haven: alert acknowledged",
        preview: "A colleague is handling an alert.",
        body: "A colleague on the care team acknowledged an alert. Details: {link}",
      },
      es: {
        title: "Haven: alerta atendida",
        preview: "Un colega está atendiendo una alerta.",
        body: "Un colega del equipo atendió una alerta. Detalles: {link}",
      },
    },
  },
  "assessment.due": {
    vars: "none",
    text: {
      en: {
        title: "Haven: you have something to do",
        preview: "Open Haven when you have a moment.",
        body: "A check-in questionnaire is ready for you: {link}",
      },
      es: {
        title: "Haven: tiene algo pendiente",
        preview: "Abra Haven cuando tenga un momento.",
        body: "Tiene un cuestionario de seguimiento listo: {link}",
      },
    },
  },
  "assessment.submitted": {
    vars: "none",
    text: {
      en: {
        title: "Haven: new update",
        preview: "Open Haven to review.",
        body: "A patient on your care team completed a questionnaire: {link}",
      },
      es: {
        title: "Haven: nueva actualización",
        preview: "Abra Haven para revisarla.",
        body: "Un paciente de su equipo completó un cuestionario: {link}",
      },
    },
  },
  "anomaly.detected": {
    vars: "none",
    text: {
      en: {
        title: "Haven: new update",
        preview: "Open Haven to review.",
        body: "A measurement for a patient on your care team is outside the usual range: {link}",
      },
      es: {
        title: "Haven: nueva actualización",
        preview: "Abra Haven para revisarla.",
        body: "Una medición de un paciente de su equipo está fuera del rango habitual: {link}",
      },
    },
  },
  "booking.created": {
    vars: "appointment",
    text: {
      en: {
        title: "Haven: appointment update",
        preview: "Open Haven for details.",
        body: "An appointment was booked for {when}. Details: {link}",
      },
      es: {
        title: "Haven: novedad sobre una cita",
        preview: "Abra Haven para ver los detalles.",
        body: "Se reservó una cita para el {when}. Detalles: {link}",
      },
    },
  },
  "booking.changed": {
    vars: "appointment",
    text: {
      en: {
        title: "Haven: appointment update",
        preview: "Open Haven for details.",
        body: "An appointment moved to {when}. Details: {link}",
      },
      es: {
        title: "Haven: novedad sobre una cita",
        preview: "Abra Haven para ver los detalles.",
        body: "Una cita se cambió al {when}. Detalles: {link}",
      },
    },
  },
  "booking.cancelled": {
    vars: "appointment",
    text: {
      en: {
        title: "Haven: appointment update",
        preview: "Open Haven for details.",
        body: "The appointment on {when} was cancelled. Details: {link}",
      },
      es: {
        title: "Haven: novedad sobre una cita",
        preview: "Abra Haven para ver los detalles.",
        body: "La cita del {when} se canceló. Detalles: {link}",
      },
    },
  },
  "session.reminder": {
    vars: "appointment",
    text: {
      en: {
        title: "Haven: reminder",
        preview: "You have an upcoming appointment.",
        body: "Reminder: your appointment is at {when}. Details: {link}",
      },
      es: {
        title: "Haven: recordatorio",
        preview: "Tiene una cita próximamente.",
        body: "Recordatorio: su cita es el {when}. Detalles: {link}",
      },
    },
  },
  "medication.reminder": {
    vars: "none",
    text: {
      en: {
        title: "Haven: reminder",
        preview: "It's time for your scheduled reminder.",
        body: "Time for your scheduled medication. Log it or manage reminders: {link}",
      },
      es: {
        title: "Haven: recordatorio",
        preview: "Es la hora de su recordatorio.",
        body: "Es la hora de su medicación programada. Regístrela o gestione recordatorios: {link}",
      },
    },
  },
  "note.unsigned": {
    vars: "none",
    text: {
      en: {
        title: "Haven: a task is waiting",
        preview: "Open Haven to finish it.",
        body: "A clinical note is waiting for your signature: {link}",
      },
      es: {
        title: "Haven: una tarea le espera",
        preview: "Abra Haven para completarla.",
        body: "Una nota clínica espera su firma: {link}",
      },
    },
  },
  "security.sign_in": {
    vars: "none",
    text: {
      en: {
        title: "Haven: new sign-in to your account",
        preview: "If this wasn't you, secure your account.",
        body: "Your Haven account was just signed in to. If this wasn't you, sign out other sessions and change your password: {link}",
      },
      es: {
        title: "Haven: nuevo inicio de sesión",
        preview: "Si no fue usted, proteja su cuenta.",
        body: "Se inició sesión en su cuenta de Haven. Si no fue usted, cierre las otras sesiones y cambie su contraseña: {link}",
      },
    },
  },
  "security.mfa_changed": {
    vars: "none",
    text: {
      en: {
        title: "Haven: your sign-in security changed",
        preview: "If this wasn't you, secure your account.",
        body: "Two-step verification settings on your Haven account changed. If this wasn't you, secure your account: {link}",
      },
      es: {
        title: "Haven: cambió la seguridad de su cuenta",
        preview: "Si no fue usted, proteja su cuenta.",
        body: "La verificación en dos pasos de su cuenta de Haven cambió. Si no fue usted, proteja su cuenta: {link}",
      },
    },
  },
  "ops.alert": {
    vars: "ops",
    text: {
      en: {
        title: "Haven: operations alert",
        preview: "Open the ops view in Haven.",
        body: "Operations alert {alert} is {state} (since {when}). Ops view: {link}",
      },
      es: {
        title: "Haven: alerta de operaciones",
        preview: "Abra la vista de operaciones en Haven.",
        body: "Alerta de operaciones {alert}: estado {state} (desde {when}). Vista de operaciones: {link}",
      },
    },
  },
};

export type TemplateVars = { link: string; when?: string; alert?: string; state?: string };

/** The ops-alert variables stored on a notification (`data.alert`, `data.state`), if it has them. */
export function opsVars(data: Record<string, unknown> | null | undefined): Partial<TemplateVars> {
  return typeof data?.alert === "string" && typeof data.state === "string"
    ? { alert: data.alert, state: data.state }
    : {};
}

export interface Rendered {
  /** Push title, email subject, lock-screen text: fixed wording, no variables. */
  title: string;
  /** Push body / lock-screen preview: fixed wording, no variables. */
  preview: string;
  /** In-app entry and email text body. */
  text: string;
  /** Email HTML body (escaped). */
  html: string;
  /** SMS: the title and the link only. */
  sms: string;
}

export class TemplateError extends Error {
  override name = "TemplateError";
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/**
 * Renders one event type's template in `locale`. Variables are validated against the event type's
 * schema (unknown or missing ones throw {@link TemplateError}: a programming error, never sent).
 */
export function render(type: EventType, locale: Locale, vars: TemplateVars, _channel?: Channel): Rendered {
  const tpl = T[type];
  const parsed = VARS[tpl.vars].safeParse(vars);
  if (!parsed.success) throw new TemplateError(`template variables invalid for ${type}`);
  const v = parsed.data as Record<string, string>;
  const text = tpl.text[locale] ?? tpl.text.en;
  const fill = (s: string, esc: (x: string) => string) =>
    s.replace(/\{(\w+)\}/g, (_, k: string) => {
      const value = v[k];
      if (value === undefined) throw new TemplateError(`missing variable ${k} for ${type}`);
      return esc(value);
    });
  const body = fill(text.body, (x) => x);
  const htmlBody = fill(escapeHtml(text.body), escapeHtml);
  return {
    title: text.title,
    preview: text.preview,
    text: `${body}\n\nYou can change which notifications you get in Haven: ${new URL("/notifications", v.link ?? "https://haven.invalid").toString()}`,
    html: `<!doctype html><html lang="${locale}"><body><p>${htmlBody}</p><p><a href="${escapeHtml(v.link ?? "")}">${escapeHtml(text.preview)}</a></p></body></html>`,
    sms: `${text.title}. ${text.preview} ${v.link}`,
  };
}

/** An event type's title (fixed wording, no variables): what a live in-app push shows. */
export function titleOf(type: EventType, locale: Locale): string {
  const tpl = T[type];
  return (tpl.text[locale] ?? tpl.text.en).title;
}

/** Every template's (type, locale) pair — for the PHI test. */
export function allTemplates(): Array<{ type: EventType; locale: Locale; vars: keyof typeof VARS }> {
  return (Object.keys(T) as EventType[]).flatMap((type) =>
    LOCALES.map((locale) => ({ type, locale, vars: T[type].vars })),
  );
}

/** Digest email: how many notifications of which kinds, no content. */
export function renderDigest(locale: Locale, count: number, link: string): Rendered {
  const en = {
    title: "Haven: your notification summary",
    preview: `You have ${count} new notifications.`,
  };
  const es = {
    title: "Haven: resumen de notificaciones",
    preview: `Tiene ${count} notificaciones nuevas.`,
  };
  const t = locale === "es" ? es : en;
  return {
    title: t.title,
    preview: t.preview,
    text: `${t.preview} ${link}`,
    html: `<!doctype html><html lang="${locale}"><body><p>${escapeHtml(t.preview)}</p><p><a href="${escapeHtml(link)}">Haven</a></p></body></html>`,
    sms: `${t.title}. ${link}`,
  };
}
