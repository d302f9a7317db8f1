//! Small shared domain rules: Israeli ID, identifiers that name files, text fields, exact
//! fractions, lottery.
pub mod date;
pub mod fraction;
pub mod identifier;
pub mod israeli_id;
pub mod lottery;
pub mod text;
pub mod text_order;
