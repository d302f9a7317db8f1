//! Small shared domain rules: Israeli ID, exact fractions, lottery.
pub mod fraction;
pub mod israeli_id;
pub mod lottery;
pub mod text_order;
