//! Small shared domain rules: Israeli ID, the digit key of an ID or code, dates (one module:
//! the school year, month-day parameters, deadlines, month arithmetic), identifiers that name
//! files, text fields, exact fractions, lottery.
pub mod date;
pub mod digit_key;
pub mod fraction;
pub mod identifier;
pub mod israeli_id;
pub mod lottery;
pub mod text;
pub mod text_order;
