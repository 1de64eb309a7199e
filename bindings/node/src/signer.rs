//! A JS signer (a viem account, an ethers signer, or any `{ address, signMessage }`, made into
//! one `sign(message)` by `lib/signer.js`) as an alloy `Signer`, so the core logs in with it as
//! with any other. It is called through a thread-safe function: the event loop never blocks.

use alloy_primitives::{Address, B256, ChainId, Signature};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;

/// `sign(message) -> Promise<hex signature>`; weak, so it never keeps the process alive.
type Sign = ThreadsafeFunction<String, Promise<String>, String, Status, false, true>;

pub struct JsSigner {
    sign: Sign,
    address: Address,
}

impl JsSigner {
    pub fn new(address: &str, sign: Function<'_, String, Promise<String>>) -> Result<Self> {
        let address = address.trim().parse::<Address>().map_err(|_| {
            crate::invalid(format!(
                "the signer's address {address:?} is not an address (0x and 40 hex digits)"
            ))
        })?;
        let sign = sign.build_threadsafe_function().callee_handled::<false>().weak::<true>().build()?;
        Ok(Self { sign, address })
    }
}

#[async_trait::async_trait]
impl alloy_signer::Signer for JsSigner {
    async fn sign_hash(&self, _hash: &B256) -> alloy_signer::Result<Signature> {
        Err(alloy_signer::Error::UnsupportedOperation(alloy_signer::UnsupportedSignerOperation::SignHash))
    }

    async fn sign_message(&self, message: &[u8]) -> alloy_signer::Result<Signature> {
        let text = String::from_utf8_lossy(message).into_owned();
        let promise = self.sign.call_async_catch(text).await.map_err(alloy_signer::Error::other)?;
        // A rejection's reason is kept by lib/signer.js and attached as the error's `cause`.
        let hex =
            promise.await.map_err(|e| alloy_signer::Error::other(format!("the signer rejected: {e}")))?;
        let bytes = ::hex::decode(hex.trim().trim_start_matches("0x")).unwrap_or_default();
        Signature::from_raw(&bytes).map_err(|_| {
            alloy_signer::Error::other(format!(
                "a signer must resolve to a 65-byte hex signature, not {hex:?}"
            ))
        })
    }

    fn address(&self) -> Address {
        self.address
    }

    fn chain_id(&self) -> Option<ChainId> {
        None
    }

    fn set_chain_id(&mut self, _chain_id: Option<ChainId>) {}
}
