//! What a use-case takes, as any edge receives it (a JSON body, a web form, the CLI, the
//! simulation), and the one place it is checked into the use-case's typed input: each edge maps
//! its own request onto these, none borrows another edge's types.

pub mod excursion;
pub mod movement;
pub mod patient;
pub mod procedure;
pub mod supplier;
pub mod threshold;
pub mod user;
