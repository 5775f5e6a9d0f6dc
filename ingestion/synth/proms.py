"""PROM schedules and answers of one patient, in the shared item identifiers.

Schedules (CLINICAL_SPEC.md 1): QLQ-C30 at baseline then every 3 months, PRO-CTCAE weekly,
PHQ-9 + GAD-7 + Distress Thermometer monthly, ESAS-r every two weeks. Questionnaires are missed at
random but never twice in a row (two missed periods is the NO-DATA rule, kept for disengagement),
and are always completed inside an episode that needs them, so injected signals are observable.
Normal answers stay below every alert threshold; episode answers cross them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ingestion.synth.catalogue import Item, instrument_items, threshold
from ingestion.synth.cohort import Patient
from ingestion.synth.episodes import Episode
from ingestion.synth.pro_ctcae import pro_ctcae_answers, pro_ctcae_symptoms
from ingestion.synth.rand import clamp, stream

# instrument: (period in days, first due day)
SCHEDULE = {
    "qlq-c30": (91, 0),
    "pro-ctcae": (7, 0),
    "phq-9": (30, 3),
    "gad-7": (30, 3),
    "distress-thermometer": (30, 3),
    "esas-r": (14, 1),
}
SESSION_MINUTE = {
    "pro-ctcae": 0,
    "esas-r": 4,
    "phq-9": 7,
    "gad-7": 10,
    "distress-thermometer": 12,
    "qlq-c30": 14,
}
# Which episode kinds need which instruments answered.
NEEDED_BY = {
    "depression_onset": {"phq-9", "gad-7", "distress-thermometer"},
    "fatigue_flare": {"pro-ctcae"},
}


@dataclass(frozen=True)
class Response:
    instrument: str
    authored: datetime
    answers: tuple[tuple[str, int | str], ...]  # (linkId, integer answer or answer-status code)


class PromGenerator:
    def __init__(self, patient: Patient, seed: int, window_start: date, episodes: list[Episode]):
        self.patient = patient
        self.rng = stream(seed, patient.index, "proms")
        self.tz = ZoneInfo(patient.centre.timezone)
        self.window_start = window_start
        self.episodes = episodes
        self.items = instrument_items()
        self.symptoms = pro_ctcae_symptoms(patient)
        self.symptom_level = {
            s: clamp(patient.baseline["burden"] * self.rng.uniform(0.3, 1.6), 0, 1)
            for s in self.symptoms
        }
        self.qlq_baseline: dict[str, int] | None = None

    def responses(self, days: int) -> Iterator[tuple[int, Response]]:
        """Yield (day offset, response) for the window, in authored order."""
        due: list[tuple[int, str]] = []
        for instrument, (period, first) in SCHEDULE.items():
            due += [(day, instrument) for day in range(first, days, period)]
        due.sort()
        missed_last: dict[str, bool] = {}
        batch: list[tuple[datetime, int, str]] = []
        sessions: dict[int, datetime] = {}
        for day, instrument in due:
            lag = self.rng.choice((0, 0, 0, 1, 1, 2))
            if missed_last.get(instrument, False):
                lag = min(
                    lag, 1
                )  # after a missed one the app reminds, and the survivor answers soon
            answered_on = min(day + lag, days - 1)
            # A questionnaire due before a patient disengages is answered before they go quiet.
            silent = self._silent(day)
            if not silent and self._silent(answered_on):
                answered_on = day
            needed = any(
                instrument in NEEDED_BY.get(e.kind, ()) and e.covers(day) for e in self.episodes
            )
            if needed:
                answered_on = day
            must = (
                needed
                or missed_last.get(instrument, False)
                or (instrument == "qlq-c30" and day == 0)
            )
            skip = silent or (
                not must and self.rng.random() > self.patient.baseline["prom_adherence"]
            )
            missed_last[instrument] = skip
            if skip:
                continue
            # Everything due on a day is answered in one evening app session, in a fixed order.
            if answered_on not in sessions:
                minute = self.rng.randint(17 * 60, 22 * 60 + 30)
                local_day = self.window_start + timedelta(days=answered_on)
                sessions[answered_on] = datetime.combine(
                    local_day, time(minute // 60, minute % 60), self.tz
                )
            authored = sessions[answered_on] + timedelta(minutes=SESSION_MINUTE[instrument])
            batch.append((authored, answered_on, instrument))
        batch.sort(key=lambda entry: (entry[0], entry[2]))
        for authored, day, instrument in batch:
            kinds = {e.kind for e in self.episodes if e.covers(day)}
            flags = set().union(*(e.flags for e in self.episodes if e.covers(day)))
            yield (
                day,
                Response(instrument, authored, tuple(self._answers(instrument, kinds, flags))),
            )

    def _silent(self, day: int) -> bool:
        return any(
            e.kind == "disengagement" and e.start <= day <= e.signal_end for e in self.episodes
        )

    def _answers(
        self, instrument: str, kinds: set[str], flags: set[str]
    ) -> list[tuple[str, int | str]]:
        items = self.items[instrument]
        if instrument == "phq-9":
            return self._sum_scale(items, "mood", "depression_onset" in kinds, "PHQ9-MOD", flags)
        if instrument == "gad-7":
            anxious = "depression_onset" in kinds and "anxiety" in flags
            return self._sum_scale(items, "mood", anxious, "GAD7-MOD", flags)
        if instrument == "distress-thermometer":
            limit = int(threshold("DT-REFER", "score_min"))
            score = min(round(self.patient.baseline["mood"] * 4 + self.rng.random()), limit - 1)
            if "depression_onset" in kinds:
                score = limit + self.rng.randint(1, 4)
            return [(items[0].link_id, score)]
        if instrument == "esas-r":
            return self._esas(items, kinds)
        if instrument == "qlq-c30":
            return self._qlq(items, kinds)
        return pro_ctcae_answers(self.rng, items, self.symptom_level, kinds)

    def _sum_scale(
        self, items: list[Item], latent: str, episode: bool, rule: str, flags: set[str]
    ) -> list[tuple[str, int | str]]:
        rng = self.rng
        limit = int(threshold(rule, "total_min"))
        level = self.patient.baseline[latent]
        scored = items[:8] if items[0].instrument == "phq-9" else items
        values = [
            min(3, int(rng.random() < level * 1.3) + int(rng.random() < level * 0.4))
            for _ in scored
        ]
        while sum(values) > limit - 3:  # normal totals stay clearly below the threshold
            values[values.index(max(values))] -= 1
        answers: list[tuple[str, int | str]] = []
        if episode:
            target = limit + rng.randint(1, 6)
            while sum(values) < target - (1 if "item9" in flags else 0):
                i = rng.randrange(len(values))
                values[i] = min(3, values[i] + 1)
        answers = [(item.link_id, value) for item, value in zip(scored, values)]
        if items[0].instrument == "phq-9":
            item9 = int(threshold("PHQ9-ITEM9", "item9_min")) if episode and "item9" in flags else 0
            answers.append((items[8].link_id, item9))
        if not episode and rng.random() < 0.03:  # an item left blank now and then
            del answers[rng.randrange(len(answers) - 1)]
        return answers

    def _esas(self, items: list[Item], kinds: set[str]) -> list[tuple[str, int | str]]:
        ceiling = int(threshold("ESAS-SEVERE", "item_min")) - 2
        base = self.patient.baseline
        answers: list[tuple[str, int | str]] = []
        for item in items:
            latent = (
                base["mood"]
                if item.scale in ("depression", "anxiety", "wellbeing")
                else base["burden"]
            )
            value = clamp(round(latent * 6 + self.rng.gauss(0, 1)), 0, ceiling)
            if item.scale == "tiredness" and "fatigue_flare" in kinds:
                value = ceiling + 2 + self.rng.randint(0, 2)
            if item.scale in ("depression", "anxiety") and "depression_onset" in kinds:
                value = ceiling - self.rng.randint(0, 1)
            if not kinds and self.rng.random() < 0.02:
                continue  # an item left blank
            answers.append((item.link_id, int(value)))
        return answers

    def _qlq(self, items: list[Item], kinds: set[str]) -> list[tuple[str, int | str]]:
        rng = self.rng
        base = self.patient.baseline
        if self.qlq_baseline is None:
            first: dict[str, int] = {}
            for item in items:
                latent = (
                    base["burden"]
                    if item.scale in ("DY", "PA", "FA", "SL", "AP", "NV", "CO", "DI", "FI")
                    else base["function"]
                )
                if item.scale == "QL":
                    first[item.link_id] = int(
                        clamp(round(6.5 - latent * 4 + rng.gauss(0, 0.6)), 1, 7)
                    )
                else:
                    first[item.link_id] = int(
                        clamp(round(1 + latent * 2.5 + rng.gauss(0, 0.4)), 1, 4)
                    )
            self.qlq_baseline = first
            return list(first.items())
        answers: list[tuple[str, int | str]] = []
        for item in items:
            value = self.qlq_baseline[item.link_id]
            # Functional scales and QL only stay put or improve outside episodes: a real decline of
            # >= 10 points is what QLQ-DROP exists to catch.
            if item.scale == "QL":
                value = min(7, value + (rng.random() < 0.12))
            elif item.scale in ("PF", "RF", "EF", "CF", "SF"):
                value = max(1, value - (rng.random() < 0.12))
            else:
                value = int(clamp(value + rng.choice((-1, 0, 0, 0, 0, 1)), 1, 4))
                if item.scale in ("FI", "CO", "DI") and rng.random() < 0.04:
                    continue  # symptom items are the ones survivors skip
            if "fatigue_flare" in kinds and item.scale in ("FA", "RF", "PF"):
                value = min(4, value + 2)
            if "depression_onset" in kinds and item.scale in ("EF", "SF"):
                value = min(4, value + 2)
            if "depression_onset" in kinds and item.scale == "QL":
                value = max(1, value - 2)
            answers.append((item.link_id, int(value)))
        return answers
