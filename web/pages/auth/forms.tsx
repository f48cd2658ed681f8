import type { Child } from "hono/jsx";

/** Field errors by input name, and one message for the whole form. Never contains submitted values. */
export interface FormErrors {
  form?: string;
  fields?: Record<string, string>;
}

/** The double-submit token every POST form carries (checked against the `haven_csrf` cookie). */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="csrf" value={token} />;
}

/** A form-level message read out by screen readers as soon as the page loads. */
export function ErrorSummary({ errors }: { errors?: FormErrors | undefined }) {
  const fields = Object.values(errors?.fields ?? {});
  if (!errors?.form && fields.length === 0) return null;
  return (
    <div class="alert" role="alert">
      <p>{errors?.form ?? "Please fix the highlighted fields."}</p>
    </div>
  );
}

export function Notice({ children }: { children: Child }) {
  return (
    <div class="notice" role="status">
      {children}
    </div>
  );
}

interface FieldProps {
  name: string;
  label: string;
  type?: string;
  value?: string | undefined;
  autocomplete?: string;
  hint?: string;
  errors?: FormErrors | undefined;
  required?: boolean;
  inputmode?: "numeric" | "text" | "email";
  pattern?: string;
  maxlength?: number;
}

/** A labelled input with an optional hint and error, linked by `aria-describedby`. */
export function Field({
  name,
  label,
  type = "text",
  value,
  hint,
  errors,
  required = true,
  ...rest
}: FieldProps) {
  const error = errors?.fields?.[name];
  const described = [hint ? `${name}-hint` : "", error ? `${name}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class="field">
      <label for={name}>{label}</label>
      {hint ? (
        <p class="hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${name}-error`}>
          {error}
        </p>
      ) : null}
      <input
        id={name}
        name={name}
        type={type}
        value={type === "password" ? undefined : value}
        required={required}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={described || undefined}
        {...rest}
      />
    </div>
  );
}

/** A POST form with its CSRF field. */
export function PostForm({
  action,
  csrf,
  children,
  class: cls,
}: {
  action: string;
  csrf: string;
  children: Child;
  class?: string;
}) {
  return (
    <form method="post" action={action} class={cls ?? "form"}>
      <CsrfField token={csrf} />
      {children}
    </form>
  );
}
