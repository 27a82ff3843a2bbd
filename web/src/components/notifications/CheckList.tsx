import { useId } from 'react';

export interface CheckOption {
  id: string;
  label: string;
  /** Shown after the label, muted (an id, a level). */
  detail?: string;
}

interface Props {
  legend: string;
  options: readonly CheckOption[];
  selected: readonly string[];
  onChange: (ids: string[]) => void;
  /** What no box ticked means ("every zone"). */
  noneText: string;
  someText: (n: number) => string;
  clearText: string;
  clearLabel: string;
  /** A loading or error line instead of, or above, the boxes. */
  note?: string | null;
  noteIsError?: boolean;
  testId: string;
}

/**
 * A fieldset of checkboxes for an optional filter: none ticked means "all",
 * which its summary line says, and a button unticks them all.
 */
export function CheckList({ legend, options, selected, onChange, noneText, someText, clearText, clearLabel, note, noteIsError, testId }: Props) {
  const summaryId = useId();
  const chosen = new Set(selected);
  // Ticked ids the list does not know (a zone since removed) stay shown, so they can be unticked.
  const all: CheckOption[] = [...options, ...selected.filter((id) => !options.some((o) => o.id === id)).map((id) => ({ id, label: id }))];
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    onChange(all.filter((o) => next.has(o.id)).map((o) => o.id));
  };
  return (
    <fieldset className="notify-fieldset notify-filter" data-testid={testId} aria-describedby={summaryId}>
      <legend>{legend}</legend>
      <div className="notify-filter-head">
        <p id={summaryId} className={selected.length === 0 ? 'hint' : 'notify-chosen'}>
          {selected.length === 0 ? noneText : someText(selected.length)}
        </p>
        <button type="button" className="link-button" disabled={selected.length === 0} onClick={() => onChange([])} aria-label={clearLabel}>
          {clearText}
        </button>
      </div>
      {note ? <p className={noteIsError ? 'field-error' : 'hint'}>{note}</p> : null}
      {all.length > 0 ? (
        <ul className="notify-checks">
          {all.map((o) => (
            <li key={o.id}>
              <label className="check">
                <input type="checkbox" value={o.id} checked={chosen.has(o.id)} onChange={(e) => toggle(o.id, e.target.checked)} />
                <span>
                  {o.label}
                  {o.detail ? <span className="hint"> {o.detail}</span> : null}
                </span>
              </label>
            </li>
          ))}
        </ul>
      ) : null}
    </fieldset>
  );
}
