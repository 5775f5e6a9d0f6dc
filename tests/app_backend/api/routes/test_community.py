from __future__ import annotations

import uuid

import pytest

from app_backend.services.community.erasure import erase_member_content
from app_backend.services.community.policy import CommunityPolicy, RateLimit

CRISIS_TEXT = "I can't do this anymore, I want to end my life"


@pytest.fixture
def group(client, world) -> int:
    moderator = world.staff("moderator")
    response = client.post("/community/groups", headers=moderator.headers, json={
        "slug": f"breast-{uuid.uuid4().hex[:8]}", "name": "Breast cancer survivors",
        "kind": "cancer-type", "cancer_type": "breast", "language": "en"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def post(client, person, group_id, body="Walking every day helps my fatigue") -> dict:
    response = client.post(f"/community/groups/{group_id}/posts", headers=person.headers, json={"body": body})
    assert response.status_code == 201, response.text
    return response.json()


def test_members_post_and_read_under_pseudonymous_handles(client, world, group):
    alice, bob = world.patient(name="Alice Realname"), world.caregiver()
    written = post(client, alice, group)
    assert written["crisis_support"] is None
    handle = client.get("/community/me", headers=alice.headers).json()["handle"]
    reply = client.post(f"/community/posts/{written['post']['id']}/replies", headers=bob.headers,
                        json={"body": "Same for me!"})
    assert reply.status_code == 201, reply.text
    assert client.put(f"/community/posts/{written['post']['id']}/reactions/hug", headers=bob.headers).status_code == 204
    listed = client.get(f"/community/groups/{group}/posts", headers=bob.headers).json()
    mine = next(p for p in listed if p["id"] == written["post"]["id"])
    assert mine["author"] == handle and not mine["is_mine"]
    assert mine["reactions"] == {"hug": 1} and mine["reply_count"] == 1
    text = str(listed)
    assert "Alice" not in text and alice.email not in text
    thread = client.get(f"/community/posts/{mine['id']}", headers=alice.headers).json()
    assert [r["body_html"] for r in thread["replies"]] == ["Same for me!"]


def test_xss_payloads_are_stored_and_served_inert(client, world, group):
    alice = world.patient()
    payloads = ['<img src=x onerror="alert(1)">hi', '<a href="javascript:alert(1)">hi</a>',
                '<svg onload=alert(1)></svg><p style="x">hi</p>', "<script>alert(1)</script><b>hi</b>"]
    for payload in payloads:
        body = post(client, alice, group, payload)["post"]["body_html"].lower()
        for marker in ("<script", "onerror", "onload", "javascript:", "style=", "<svg", "<img"):
            assert marker not in body
    empty = client.post(f"/community/groups/{group}/posts", headers=alice.headers,
                        json={"body": "<script>alert(1)</script>"})
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]


def _alerts(client, clinician, patient) -> list[dict]:
    response = client.get("/clinician/alerts", headers=clinician.headers, params={"patient_id": patient.patient_id})
    assert response.status_code == 200, response.text
    return [a for a in response.json() if a["rule_id"] == "COMMUNITY-CRISIS"]


def test_crisis_post_shows_resources_but_no_care_team_alert_without_consent(client, world, group):
    patient, clinician = world.patient(), world.staff("clinician")
    world.care_team([clinician], [patient])  # enrolment's blanket consent is not consent to this
    written = post(client, patient, group, CRISIS_TEXT)
    support = written["crisis_support"]
    assert support["emergency"]["phone"] == "112" and support["lines"]
    assert support["care_team_notified"] is False
    assert _alerts(client, clinician, patient) == []
    moderator = world.staff("moderator")
    queue = client.get("/community/moderation/queue", headers=moderator.headers, params={"limit": 100}).json()
    assert any(q["post_id"] == written["post"]["id"] and q["review_reason"] == "crisis" for q in queue)
    # A caregiver in crisis gets the same help at once (they have no care team to notify).
    carer = post(client, world.caregiver(), group, "Je veux mourir")["crisis_support"]
    assert carer["care_team_notified"] is False and carer["language"] == "fr"  # as written, in an English group


def test_crisis_post_alerts_the_care_team_when_the_author_consented(client, world, group):
    patient, clinician = world.patient(), world.staff("clinician")
    team = world.care_team([clinician], [patient])
    granted = client.post("/consents", headers=patient.headers,
                          json={"module": "community-crisis", "recipient": f"CareTeam/{team}"})
    assert granted.status_code == 201, granted.text
    written = post(client, patient, group, "Heute war schwer, Tom weiß es. Ich will nicht mehr leben.")
    assert written["crisis_support"]["care_team_notified"] is True
    alerts = _alerts(client, clinician, patient)
    assert len(alerts) == 1 and alerts[0]["severity"] == "urgent"
    assert alerts[0]["focus"] == f"CommunityPost/{written['post']['id']}"
    # The alert names what matched, never the post's text.
    assert alerts[0]["evidence"]["matched_phrases"] == ["will nicht mehr leben"]
    assert "Tom" not in str(alerts[0])
    # Withdrawn consent: the next crisis post is not shared.
    client.post(f"/consents/{granted.json()['id']}/withdraw", headers=patient.headers)
    again = post(client, patient, group, CRISIS_TEXT)
    assert again["crisis_support"]["care_team_notified"] is False
    assert len(_alerts(client, clinician, patient)) == 1


def test_reports_hide_a_post_and_only_moderators_review_it(client, world, group):
    author, moderator = world.patient(), world.staff("moderator")
    target = post(client, author, group, "Buy miracle cures at my shop")["post"]["id"]
    reporters = [world.patient() for _ in range(3)]
    # A member can neither hide a post nor see the queue.
    hide = client.post(f"/community/moderation/posts/{target}", headers=reporters[0].headers, json={"action": "hide"})
    assert hide.status_code == 403
    assert client.get("/community/moderation/queue", headers=reporters[0].headers).status_code == 403
    for reporter in reporters:
        r = client.post(f"/community/posts/{target}/reports", headers=reporter.headers, json={"reason": "spam"})
        assert r.status_code == 201, r.text
    assert client.get(f"/community/posts/{target}", headers=reporters[0].headers).status_code == 404
    assert client.get(f"/community/posts/{target}", headers=author.headers).json()["post"]["state"] == "hidden"
    queue = client.get("/community/moderation/queue", headers=moderator.headers, params={"limit": 100}).json()
    entry = next(q for q in queue if q["post_id"] == target)
    assert entry["review_reason"] == "reports" and len(entry["open_reports"]) == 3
    restored = client.post(f"/community/moderation/posts/{target}", headers=moderator.headers,
                           json={"action": "restore", "note": "not spam"})
    assert restored.status_code == 200 and restored.json()["state"] == "visible"
    queue = client.get("/community/moderation/queue", headers=moderator.headers, params={"limit": 100}).json()
    assert all(q["post_id"] != target for q in queue)
    again = client.post(f"/community/moderation/posts/{target}", headers=moderator.headers, json={"action": "restore"})
    assert again.status_code == 409
    hidden = client.post(f"/community/moderation/posts/{target}", headers=moderator.headers, json={"action": "hide"})
    assert hidden.json()["state"] == "hidden"
    assert client.get(f"/community/posts/{target}", headers=reporters[1].headers).status_code == 404


def test_mute_and_block(client, world, group):
    alice, bob, moderator = world.patient(), world.patient(), world.staff("moderator")
    bob_handle = client.get("/community/me", headers=bob.headers).json()["handle"]
    muted = client.post(f"/community/moderation/members/{bob_handle}/mute", headers=moderator.headers,
                        json={"hours": 24, "reason": "cooling off"})
    assert muted.status_code == 200 and muted.json()["muted_until"]
    refused = client.post(f"/community/groups/{group}/posts", headers=bob.headers, json={"body": "hello"})
    assert refused.status_code == 403 and "paused" in refused.json()["detail"]
    client.delete(f"/community/moderation/members/{bob_handle}/mute", headers=moderator.headers)
    bobs = post(client, bob, group, "Bob's thoughts")["post"]["id"]
    alices = post(client, alice, group, "Alice's thoughts")["post"]["id"]
    assert client.put(f"/community/blocks/{bob_handle}", headers=alice.headers).status_code == 204
    seen_by_alice = {p["id"] for p in client.get(f"/community/groups/{group}/posts", headers=alice.headers).json()}
    seen_by_bob = {p["id"] for p in client.get(f"/community/groups/{group}/posts", headers=bob.headers).json()}
    assert bobs not in seen_by_alice and alices not in seen_by_bob
    blocked_reply = client.post(f"/community/posts/{alices}/replies", headers=bob.headers, json={"body": "hi"})
    assert blocked_reply.status_code == 404


def test_spam_limit_answers_429_with_retry_after(client, world, group, app):
    spammer = world.patient()
    app.state.community_policy = CommunityPolicy(limits={"post": (RateLimit(2, 600),)})
    try:
        post(client, spammer, group, "one")
        post(client, spammer, group, "two")
        third = client.post(f"/community/groups/{group}/posts", headers=spammer.headers, json={"body": "three"})
        assert third.status_code == 429
        assert 1 <= int(third.headers["Retry-After"]) <= 600
    finally:
        app.state.community_policy = None
    # Someone else is not held back by the spammer's limit.
    post(client, world.patient(), group, "hello")


def test_members_delete_their_own_content_only_and_erasure_removes_it(client, world, group, app):
    alice, bob = world.patient(), world.patient()
    lonely = post(client, alice, group, "A post nobody answered")["post"]["id"]
    answered = post(client, alice, group, "A post Bob answered")["post"]["id"]
    reply = client.post(f"/community/posts/{answered}/replies", headers=bob.headers, json={"body": "Bob here"})
    assert client.delete(f"/community/posts/{lonely}", headers=bob.headers).status_code == 404
    assert client.delete(f"/community/posts/{lonely}", headers=alice.headers).status_code == 204
    assert client.get(f"/community/posts/{lonely}", headers=alice.headers).status_code == 404
    with app.state.session_factory() as session:
        counts = erase_member_content(session, alice.id)
        session.commit()
    assert counts["posts"] == 1 and counts["member"] == 1
    thread = client.get(f"/community/posts/{answered}", headers=bob.headers).json()
    assert thread["post"]["state"] == "deleted" and thread["post"]["body_html"] == "" and thread["post"]["author"] is None
    assert [r["id"] for r in thread["replies"]] == [reply.json()["post"]["id"]]
    bob_deletes_all = client.delete("/community/me/content", headers=bob.headers)
    assert bob_deletes_all.status_code == 200 and bob_deletes_all.json()["posts"] == 1


def test_crisis_resources_can_be_read_any_time(client, world):
    caregiver = world.caregiver()
    polish = client.get("/community/crisis-resources", headers=caregiver.headers, params={"language": "pl"})
    assert polish.status_code == 200 and polish.json()["language"] == "pl"
    assert any(line["phone"] == "116 123" for line in polish.json()["lines"])
    assert client.get("/community/crisis-resources", headers=caregiver.headers,
                      params={"language": "xx"}).json()["language"] == "en"


def test_roles_and_bounded_inputs(client, world, group):
    clinician, patient = world.staff("clinician"), world.patient()
    assert client.get(f"/community/groups/{group}/posts", headers=clinician.headers).status_code == 403
    assert client.get("/community/groups").status_code == 401
    assert client.post("/community/groups", headers=patient.headers,
                       json={"slug": "x-group", "name": "x", "kind": "topic"}).status_code == 403
    too_long = client.post(f"/community/groups/{group}/posts", headers=patient.headers, json={"body": "x" * 10_001})
    assert too_long.status_code == 422
    assert client.put("/community/posts/1/reactions/dislike", headers=patient.headers).status_code == 422
    assert client.get("/community/groups/999999999/posts", headers=patient.headers).status_code == 404
    bad_handle = client.put("/community/me/handle", headers=patient.headers, json={"handle": "dr-house"})
    assert bad_handle.status_code == 422 and "staff" in bad_handle.json()["detail"]
