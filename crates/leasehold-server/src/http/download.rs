//! A file streamed as a response body and deleted once the response is done
//! with it (sent, or dropped when the client went away): the backup's
//! temporary copy never outlives its download.

use futures_util::Stream;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio_util::io::ReaderStream;

pub struct RemovedAfter {
    /// `None` once dropped, so the file is closed before it is removed
    /// (Windows cannot remove an open file).
    stream: Option<ReaderStream<tokio::fs::File>>,
    path: PathBuf,
    /// Whatever must be held until the download is over (the backup lock).
    _held: tokio::sync::OwnedMutexGuard<()>,
}

impl RemovedAfter {
    pub fn new(
        file: tokio::fs::File,
        path: PathBuf,
        held: tokio::sync::OwnedMutexGuard<()>,
    ) -> Self {
        Self {
            stream: Some(ReaderStream::new(file)),
            path,
            _held: held,
        }
    }
}

impl Stream for RemovedAfter {
    type Item = std::io::Result<axum::body::Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.stream.as_mut() {
            Some(s) => Pin::new(s).poll_next(cx),
            None => Poll::Ready(None),
        }
    }
}

impl Drop for RemovedAfter {
    fn drop(&mut self) {
        drop(self.stream.take());
        if let Err(e) = std::fs::remove_file(&self.path) {
            tracing::warn!(path = %self.path.display(), error = %e, "cannot remove a backup's temporary copy");
        }
    }
}
