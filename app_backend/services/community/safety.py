"""What happens when the crisis screen flags a post.

1. The author is shown crisis resources at once (in the response to their own post).
2. The post enters the moderators' queue, so a trained person looks at it soon.
3. The author's care team gets an urgent alert ONLY when the author gave an explicit, active
   consent for that: a `permit` Consent with module `community-crisis` for one of their care
   teams (`POST /consents {"module": "community-crisis", "recipient": "CareTeam/<id>"}`). The
   blanket "*" consent recorded at care-team enrolment does not count: sharing what someone
   writes among peers is a separate choice. An active `deny` (for this module or "*") wins.
   The alert carries the matched phrases and the post reference, never the post's text.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app_backend.db import utcnow
from app_backend.models import CareTeamPatient, ConsentRecord, Role, User
from app_backend.models.community import CommunityPost, CrisisEvent
from app_backend.services.community.crisis import CrisisScreen, crisis_resources

CRISIS_CONSENT_MODULE = "community-crisis"
ALERT_RULE_ID = "COMMUNITY-CRISIS"


def consenting_care_teams(session: Session, user: User) -> list[int]:
    """The author's care teams they explicitly allowed to hear about a crisis post."""
    if user.role != Role.patient or not user.patient_id:
        return []
    teams = list(session.scalars(select(CareTeamPatient.care_team_id)
                                 .where(CareTeamPatient.patient_id == user.patient_id)))
    if not teams:
        return []
    recipients = {f"CareTeam/{t}": t for t in teams}
    decisions = session.execute(
        select(ConsentRecord.recipient, ConsentRecord.module, ConsentRecord.decision).where(
            ConsentRecord.patient_id == user.patient_id,
            ConsentRecord.recipient.in_(list(recipients)),
            ConsentRecord.module.in_([CRISIS_CONSENT_MODULE, "*"]),
            ConsentRecord.status == "active",
        )
    ).all()
    denied = {r for r, _, d in decisions if d == "deny"}
    permitted = {r for r, m, d in decisions if d == "permit" and m == CRISIS_CONSENT_MODULE}
    return sorted(recipients[r] for r in permitted - denied)


def _notify_care_team(session: Session, user: User, post: CommunityPost, result: CrisisScreen) -> None:
    # Imported here: the alert table belongs to the health-record module.
    from app_backend.models.health_record import RealtimeAlert

    session.add(RealtimeAlert(
        patient_id=user.patient_id,
        rule_id=ALERT_RULE_ID,
        rule_version=result.phrase_list_version,
        severity="urgent",
        title="Community post suggests thoughts of suicide or self-harm: contact the patient today",
        triggered_at=utcnow(),
        evidence={"categories": list(result.categories), "matched_phrases": list(result.matched),
                  "languages": list(result.languages), "screening": "phrase screen, not a diagnosis"},
        focus=f"CommunityPost/{post.id}",
        status="open",
    ))


def handle_crisis(session: Session, user: User, post: CommunityPost, result: CrisisScreen,
                  language: str | None) -> dict:
    """Record the event, queue the post for review, notify with consent; returns what the author sees."""
    teams = consenting_care_teams(session, user)
    if teams:
        _notify_care_team(session, user, post, result)
    post.needs_review, post.review_reason = True, "crisis"
    session.add(CrisisEvent(
        user_id=user.id, post_id=post.id, categories=list(result.categories), matched=list(result.matched),
        phrase_list_version=result.phrase_list_version, care_team_notified=bool(teams), created_at=utcnow(),
    ))
    session.flush()
    # The language the person wrote in, when the phrases tell; else the group's language.
    chosen = (result.languages[0] if len(result.languages) == 1 else None) or language
    return {**crisis_resources(chosen), "care_team_notified": bool(teams)}
