-- NO-DATA findings: a device-data gap of N days for a patient who wears a device, or no PROM
-- response for the configured number of scheduled periods (plus the grace days a due questionnaire
-- may be answered late). Gaps still open are measured up to the
-- latest day the warehouse has data for (never the wall clock, so a rebuild gives the same answer).
-- In an incremental build (int_alert_frame) only the gaps reaching into the frame are measured: from
-- each patient's last day with data before frame_day on (every gap ending before it is unchanged).
with thresholds as (
    select * from {{ ref('int_alert_thresholds_by_patient') }}
),

frame as (
    select frame_day from {{ ref('int_alert_frame') }}
),

device_days as (
    select * from {{ ref('int_device_days') }}
),

device_horizon as (
    select max(day) as last_day from device_days
),

device_days_in_frame as (
    {{ days_reaching_into_frame('device_days', 'patient_key') }}
),

device_gaps as (
    select
        device_days.patient_key,
        device_days.day as last_day_with_data,
        device_days.loaded_at,
        coalesce(
            lead(device_days.day) over (partition by device_days.patient_key order by device_days.day),
            device_horizon.last_day + 1
        ) as next_day_with_data
    from device_days_in_frame as device_days
    cross join device_horizon
),

device_no_data as (
    select
        gaps.patient_key,
        'NO-DATA' as rule_id,
        cast(null as varchar) as response_id,
        cast(gaps.last_day_with_data + cast(thresholds.no_data__device_gap_days as integer) as timestamptz)
            as finding_at,
        cast(gaps.last_day_with_data + 1 as timestamptz) as window_start,
        cast(gaps.next_day_with_data as timestamptz) as window_end,
        gaps.loaded_at,
        json_object(
            'kind', 'device', 'last_day_with_data', gaps.last_day_with_data,
            'days_without_data', gaps.next_day_with_data - gaps.last_day_with_data - 1,
            'device_gap_days', thresholds.no_data__device_gap_days
        ) as evidence
    from device_gaps as gaps
    inner join thresholds on gaps.patient_key = thresholds.patient_key
    where gaps.next_day_with_data - gaps.last_day_with_data - 1 >= thresholds.no_data__device_gap_days
),

response_days as (
    select
        patient_id,
        {{ utc_date('authored_at') }} as day,
        loaded_at
    from {{ ref('int_prom_answers_mapped') }}
),

prom_horizon as (
    select max(day) as last_day from response_days
),

response_days_in_frame as (
    {{ days_reaching_into_frame('response_days', 'patient_id') }}
),

prom_gaps as (
    select
        response_days.patient_id,
        response_days.day as last_response_day,
        response_days.loaded_at,
        coalesce(
            lead(response_days.day) over (partition by response_days.patient_id order by response_days.day),
            prom_horizon.last_day + 1
        ) as next_response_day
    from response_days_in_frame as response_days
    cross join prom_horizon
),

prom_no_data as (
    select
        thresholds.patient_key,
        'NO-DATA' as rule_id,
        cast(null as varchar) as response_id,
        cast(
            gaps.last_response_day
            + cast(
                thresholds.no_data__prom_missed_periods * thresholds.no_data__prom_period_days
                + thresholds.no_data__prom_grace_days as integer
            ) + 1
            as timestamptz
        ) as finding_at,
        cast(gaps.last_response_day + 1 as timestamptz) as window_start,
        cast(gaps.next_response_day as timestamptz) as window_end,
        gaps.loaded_at,
        json_object(
            'kind', 'prom', 'last_response_day', gaps.last_response_day,
            'days_without_response', gaps.next_response_day - gaps.last_response_day,
            'prom_missed_periods', thresholds.no_data__prom_missed_periods,
            'prom_period_days', thresholds.no_data__prom_period_days,
            'prom_grace_days', thresholds.no_data__prom_grace_days
        ) as evidence
    from prom_gaps as gaps
    inner join thresholds on gaps.patient_id = thresholds.patient_id
    where
        gaps.next_response_day - gaps.last_response_day
        > thresholds.no_data__prom_missed_periods * thresholds.no_data__prom_period_days
        + thresholds.no_data__prom_grace_days
),

all_findings as (
    select * from device_no_data
    union all
    select * from prom_no_data
)

select * from all_findings
