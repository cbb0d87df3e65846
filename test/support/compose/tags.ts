/** `!reset` in an override file: the value is removed from the merged model. */
export class ResetValue {}

/** `!override` in an override file: the wrapped value replaces, never merges. */
export class OverrideValue {
  constructor(readonly value: unknown) {}
}
