-- One row per centre and instrument (plus instrument 'questionnaire set' = everything a patient
-- answered on one day): share of questionnaires meeting an alert rule and share opening a new alert,
-- to set beside the published 7.8 % (MSK) to 34 % (PRO-TECT).
with responses as (
    select
        response_id,
        any_value(patient_key) as patient_key,
        any_value(instrument) as instrument,
        {{ utc_date('any_value(authored_at)') }} as authored_day
    from {{ ref('prom_scores') }}
    where {{ research_permitted('patient_key') }}
    group by response_id
),

findings as (
    -- questionnaire findings carry their response (the stored table, not the view recomputed)
    select distinct response_id from {{ ref('int_alert_findings') }}
    where response_id is not null
),

alert_openers as (
    select distinct response_ids[1] as response_id
    from {{ ref('alerts') }}
    where len(response_ids) > 0
),

patients as (
    select
        patient_key,
        centre_id
    from {{ ref('patients') }}
),

flagged as (
    select
        responses.*,
        patients.centre_id,
        findings.response_id is not null as meets_rule,
        alert_openers.response_id is not null as opens_alert
    from responses
    left join patients on responses.patient_key = patients.patient_key
    left join findings on responses.response_id = findings.response_id
    left join alert_openers on responses.response_id = alert_openers.response_id
),

by_instrument as (
    select
        centre_id,
        instrument,
        count(*) as n_questionnaires,
        count(*) filter (where meets_rule) as n_meeting_rule,
        count(*) filter (where opens_alert) as n_opening_alert
    from flagged
    group by centre_id, instrument
),

sets as (
    select
        centre_id,
        patient_key,
        authored_day,
        bool_or(meets_rule) as meets_rule,
        bool_or(opens_alert) as opens_alert
    from flagged
    group by centre_id, patient_key, authored_day
),

by_set as (
    select
        centre_id,
        'questionnaire set' as instrument,
        count(*) as n_questionnaires,
        count(*) filter (where meets_rule) as n_meeting_rule,
        count(*) filter (where opens_alert) as n_opening_alert
    from sets
    group by centre_id
),

combined as (
    select * from by_instrument
    union all
    select * from by_set
),

final as (
    select
        *,
        n_meeting_rule / n_questionnaires as rule_rate,
        n_opening_alert / n_questionnaires as alert_rate
    from combined
)

select * from final
