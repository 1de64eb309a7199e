//! The core's answers as Python objects: JSON text or values straight into objects (`json`), and
//! typed responses through a serde `Serializer` (`typed`). The other way is `from_python`; a long
//! answer converted on a thread of its own while the core checks it is `early.rs`. Record
//! batches go over as Arrow C streams (`arrow`).

pub mod arrow;
pub mod columns;
pub mod json;
pub mod typed;
