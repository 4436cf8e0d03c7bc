{{
    config(
        contract={'enforced': true},
    )
}}
-- Waits for the quality gates on: {{ ref('int_event_outcomes_counted') }}
-- The contract's columns of int_pair_interest, which holds the rules' per-pair results: a view,
-- so a daily run writes only the pairs it changed.

select
    user_uid,
    reel_uid,
    liked,
    unliked,
    watched_ratio,
    is_interested
from {{ ref('int_pair_interest') }}
