// Entity tags and the conditions on them (RFC 9110 §8.8.3, §13.1.1-2), for every caller that evaluates
// If-Match / If-None-Match: the transcoder's conditional GET, and handlers that check a write's
// precondition themselves (atomically with the write).

/** An entity-tag: its opaque-tag, quotes included (`"3"`), and whether it is weak (`W/"3"`). */
export interface EntityTag {
  opaqueTag: string;
  weak: boolean;
}

/** The value of If-Match or If-None-Match: `*` (any current representation) or a list of entity-tags. */
export type EntityTagCondition = "*" | readonly EntityTag[];

// entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc is VCHAR but DQUOTE, or obs-text. A comma is an
// etagc, so a list is scanned tag by tag, never split at commas.
const ENTITY_TAG = /^(W\/)?("[\x21\x23-\x7e\x80-\xff]*")$/;
// One list element: optional whitespace, an entity-tag or nothing (empty elements are allowed,
// RFC 9110 §5.6.1), optional whitespace, then a comma or the end.
const LIST_ELEMENT = /[ \t]*(?:(W\/)?("[\x21\x23-\x7e\x80-\xff]*"))?[ \t]*(,|$)/y;

/** Parses one entity-tag, as an ETag header carries it; undefined when it is not one. */
export function parseEntityTag(value: string): EntityTag | undefined {
  const match = ENTITY_TAG.exec(value.trim());
  return match?.[2] === undefined ? undefined : { opaqueTag: match[2], weak: match[1] !== undefined };
}

/** Parses an If-Match or If-None-Match value; undefined when it is malformed or lists no tag. */
export function parseEntityTagCondition(value: string): EntityTagCondition | undefined {
  if (value.trim() === "*") return "*";
  const tags: EntityTag[] = [];
  LIST_ELEMENT.lastIndex = 0;
  while (LIST_ELEMENT.lastIndex < value.length) {
    const match = LIST_ELEMENT.exec(value);
    if (!match) return undefined;
    if (match[2] !== undefined) tags.push({ opaqueTag: match[2], weak: match[1] !== undefined });
    if (match[3] === "") break;
  }
  return tags.length > 0 ? tags : undefined;
}

/**
 * Whether `condition` holds for the current representation's tag: `*` always does; a list does
 * when one of its tags matches by strong comparison (If-Match: neither tag weak, same opaque-tag)
 * or weak comparison (If-None-Match: same opaque-tag), RFC 9110 §8.8.3.2.
 */
export function conditionMatches(
  condition: EntityTagCondition,
  current: EntityTag,
  comparison: "strong" | "weak",
): boolean {
  if (condition === "*") return true;
  return condition.some(
    (tag) => tag.opaqueTag === current.opaqueTag && (comparison === "weak" || (!tag.weak && !current.weak)),
  );
}

/**
 * A conditional GET (RFC 9110 §13.1.2): true when the request's If-None-Match matches the ETag the
 * response carries, so the answer is 304 Not Modified. False without either header, or when either
 * is malformed (the full response is never wrong).
 */
export function isNotModified(ifNoneMatch: string | undefined, etag: string | null): boolean {
  if (ifNoneMatch === undefined || etag === null) return false;
  const current = parseEntityTag(etag);
  const condition = parseEntityTagCondition(ifNoneMatch);
  return current !== undefined && condition !== undefined && conditionMatches(condition, current, "weak");
}
