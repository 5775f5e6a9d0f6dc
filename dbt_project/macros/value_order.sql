{#- A double as a HUGEINT that orders as the double does, scaled by `scale` so a tie-breaker below
    `scale` can be added to it: one integer ordering key instead of a struct (a struct key costs a
    comparison per field and, in a group by or window, a sort key per row). A non-negative double's
    IEEE bits order as the double does; a negative value takes the negated bits of its absolute
    value; -0 takes the bits of 0. -#}
{% macro value_order(value, scale) -%}
    (case when {{ value }} < 0 then -1 else 1 end) * cast(cast(cast(abs({{ value }}) as bit) as bigint) as hugeint)
    * {{ scale }}
{%- endmacro %}
