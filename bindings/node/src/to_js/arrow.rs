//! Record batches for JS as Arrow IPC stream bytes: `apache-arrow`'s `tableFromIPC` reads them
//! into a Table over those bytes, with no JSON parse and no object per value. (Node has no
//! equivalent of Python's C stream handover: the bytes are the handover.)

use arrow_array::RecordBatch;
use arrow_ipc::writer::StreamWriter;

fn fail(e: impl std::fmt::Display) -> alura::Error {
    alura::Error::decode(format!("writing Arrow IPC: {e}"))
}

/// One batch as an IPC stream: its schema, the batch, the end marker.
pub fn ipc(batch: &RecordBatch) -> alura::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut writer = StreamWriter::try_new(&mut out, &batch.schema()).map_err(fail)?;
    writer.write(batch).map_err(fail)?;
    writer.finish().map_err(fail)?;
    drop(writer);
    Ok(out)
}
