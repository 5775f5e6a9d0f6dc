-- One row per patient and ISO week of telehealth messaging: messages from the patient's side
-- (patient or caregiver) and from the care team, and how long the team took to answer.
-- A "turn" is the run of patient-side messages since the team last wrote; the team's next message
-- answers it, and the response time runs from the turn's first patient-side message.
with messages as (
    select distinct
        communication_id,
        patient_id,
        thread_id,
        sent_at,
        sender_role in ('patient', 'caregiver') as from_patient_side
    from {{ ref('stg_fhir__communications') }}
    where communication_status = 'completed' and sent_at is not null and thread_id is not null
),

turns as (
    select
        *,
        coalesce(sum(case when not from_patient_side then 1 else 0 end) over (
            partition by thread_id order by sent_at, communication_id
            rows between unbounded preceding and 1 preceding
        ), 0) as turn_number
    from messages
),

turn_openings as (
    select
        thread_id,
        turn_number,
        min(sent_at) as opened_at
    from turns
    where from_patient_side
    group by thread_id, turn_number
),

responses as (
    select
        turns.communication_id,
        date_diff('second', turn_openings.opened_at, turns.sent_at) / 3600.0 as response_hours
    from turns
    inner join turn_openings
        on turns.thread_id = turn_openings.thread_id and turns.turn_number = turn_openings.turn_number
    where not turns.from_patient_side
),

keyed as (
    select
        patient_keys.patient_key,
        cast(date_trunc('week', {{ utc_date('turns.sent_at') }}) as date) as week_start,
        turns.thread_id,
        turns.from_patient_side,
        responses.response_hours
    from turns
    inner join {{ ref('int_patient_keys') }} as patient_keys on turns.patient_id = patient_keys.patient_id
    left join responses on turns.communication_id = responses.communication_id
    where {{ research_permitted('patient_keys.patient_key') }}
),

weekly as (
    select
        patient_key,
        week_start,
        count(distinct thread_id) as threads_active,
        count(*) filter (where from_patient_side) as messages_from_patient_side,
        count(*) filter (where not from_patient_side) as messages_from_team,
        count(response_hours) as team_responses,
        median(response_hours) as median_response_hours,
        max(response_hours) as max_response_hours
    from keyed
    group by patient_key, week_start
)

select * from weekly
