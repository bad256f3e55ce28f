/**
 * Decides whether a caller may watch a lecture's media. The effective rules are the lecture's
 * own rules if it has any, else its course's, else `public`; a caller satisfying any one of
 * them is granted access, and moderators are granted everything.
 */
import * as Option from "effect/Option"
import {
  LectureAccess,
  type AccessRuleKind,
  type PasswordScope,
  type ViewerInfo
} from "@videoag/domain"

/** The rules set directly on one course or lecture. */
export interface RuleSet {
  readonly kinds: ReadonlyArray<AccessRuleKind>
  /** Fingerprint of the password rule's hash, when there is a password rule. */
  readonly passwordFingerprint: string | null
}

export const noRules: RuleSet = { kinds: [], passwordFingerprint: null }

export interface AccessTarget {
  readonly courseId: number
  readonly courseHandle: string
  readonly lectureId: number
  readonly courseRules: RuleSet
  readonly lectureRules: RuleSet
}

/** The rules that decide, and the object whose password they ask for. */
export const effectiveRules = (target: AccessTarget) => {
  if (target.lectureRules.kinds.length > 0) {
    return { scope: "lecture" as const, objectId: target.lectureId, rules: target.lectureRules }
  }
  return { scope: "course" as const, objectId: target.courseId, rules: target.courseRules }
}

const isModerator = (viewer: ViewerInfo) => Option.isSome(viewer.user)

export const accessOf = (target: AccessTarget, viewer: ViewerInfo): LectureAccess => {
  const effective = effectiveRules(target)
  const kinds: ReadonlyArray<AccessRuleKind> =
    effective.rules.kinds.length > 0 ? effective.rules.kinds : ["public"]
  const satisfied = (kind: AccessRuleKind) => {
    switch (kind) {
      case "public":
        return true
      case "university_network":
        return viewer.inUniversityNetwork
      case "password":
        return viewer.grants.some(
          (grant) =>
            grant.scope === effective.scope &&
            grant.objectId === effective.objectId &&
            grant.fingerprint === effective.rules.passwordFingerprint
        )
      case "moderators":
        return false
    }
  }
  const passwordScope: PasswordScope | null = kinds.includes("password")
    ? effective.scope === "course"
      ? { kind: "course", handle: target.courseHandle }
      : { kind: "lecture", lectureId: target.lectureId }
    : null
  return new LectureAccess({
    granted: isModerator(viewer) || kinds.some(satisfied),
    rules: kinds,
    passwordScope
  })
}
