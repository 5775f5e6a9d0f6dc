-- One row per alert that clinicians have worked on, from the backend's alert-review Tasks
-- (focus.identifier = the alert id): current status, first acknowledgement and resolution times.
with task_versions as (
    select * from {{ ref('stg_fhir__tasks') }}
    where
        code_system = '{{ var("task_type_system") }}'
        and code = 'alert-review'
        and focus_identifier_system = '{{ var("alert_id_system") }}'
),

versions_with_time as (
    select
        *,
        coalesce(last_modified, last_updated, authored_on) as changed_at
    from task_versions
),

per_alert as (
    select
        focus_identifier_value as alert_id,
        arg_max(task_status, changed_at) as task_status,
        min(changed_at) filter (
            where task_status in ('received', 'accepted', 'in-progress', 'on-hold', 'completed')
        ) as acknowledged_at,
        arg_min(owner_ref, changed_at) filter (
            where task_status in ('received', 'accepted', 'in-progress', 'on-hold', 'completed')
        ) as acknowledged_by,
        min(changed_at) filter (where task_status = 'completed') as resolved_at,
        max(changed_at) as last_changed_at
    from versions_with_time
    group by focus_identifier_value
),

final as (
    select
        *,
        case
            when task_status = 'completed' then 'resolved'
            when task_status in ('received', 'accepted', 'in-progress', 'on-hold') then 'acknowledged'
            when task_status in ('rejected', 'cancelled', 'entered-in-error') then 'dismissed'
            else 'open'
        end as status
    from per_alert
)

select * from final
