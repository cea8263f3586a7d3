use std::{cell::Cell, pin::pin};

use actix_service::fn_service;
use tokio::io::ReadBuf;

use super::*;
use crate::{
    config::ServiceConfigBuilder,
    h1::{ExpectHandler, UpgradeHandler},
    test::TestBuffer,
};

/// Stops accepting writes after a shared byte budget is exhausted.
///
/// The test can restore the budget and poll the dispatcher again, as if the socket became writable.
struct LimitedWriter {
    io: TestBuffer,
    allowance: Rc<Cell<usize>>,
}

impl AsyncRead for LimitedWriter {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for LimitedWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let len = buf.len().min(self.allowance.get());

        if len == 0 {
            // The test polls manually after restoring the budget, so no wakeup is needed.
            return Poll::Pending;
        }

        let written = ready!(Pin::new(&mut self.io).poll_write(cx, &buf[..len]))?;
        self.allowance.set(self.allowance.get() - written);
        Poll::Ready(Ok(written))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Checks that a persistent HTTP/1 connection keeps no buffers once it is idle, and that its
/// responses are complete (this copy of actix-http lets go of empty buffers; upstream keeps
/// them, up to a retention limit).
///
/// - `body_len`: Response body length in bytes, sent as one chunk for each request.
/// - `threshold`: Configured HTTP/1 write-buffer watermark in bytes.
/// - `partial`: If true, block writes after `body_len - 1024` bytes, including headers,
///   then resume them. Requires `body_len > 1024`.
async fn check_buffers_released(body_len: usize, threshold: usize, partial: bool) {
    let mut io = TestBuffer::new("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let allowance = Rc::new(Cell::new(if partial {
        body_len - 1024
    } else {
        usize::MAX
    }));
    let services = HttpFlow::new(
        fn_service(move |_: Request| async move {
            // A single body chunk forces the output buffer to hold the large response.
            Ok::<_, Error>(Response::ok().set_body(bytes::Bytes::from(vec![b'x'; body_len])))
        }),
        ExpectHandler,
        None::<UpgradeHandler>,
    );
    let dispatcher = Dispatcher::new(
        LimitedWriter {
            io: io.clone(),
            allowance: allowance.clone(),
        },
        services,
        ServiceConfigBuilder::new()
            .h1_write_buffer_size(threshold)
            .build(),
        None,
        OnConnectData::default(),
    );
    let mut dispatcher = pin!(dispatcher);
    let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());

    // Pending is expected even after a complete response: the keep-alive
    // connection stays open and waits for another request.
    assert!(dispatcher.as_mut().poll(&mut cx).is_pending());

    if partial {
        let DispatcherState::Normal { inner } = &dispatcher.inner else {
            panic!()
        };
        // What the socket did not take yet is kept.
        assert!(!inner.write_buf.is_empty());
        assert_eq!(io.write_buf_slice().len(), body_len - 1024);

        // Let the dispatcher finish the same response after the simulated blocked write.
        allowance.set(usize::MAX);
        assert!(dispatcher.as_mut().poll(&mut cx).is_pending());
    }

    let assert_idle = |dispatcher: &Dispatcher<_, _, _, _, _>| {
        let DispatcherState::Normal { inner } = &dispatcher.inner else {
            panic!()
        };
        assert!(inner.write_buf.is_empty());
        assert_eq!(inner.write_buf.capacity(), 0, "an idle connection kept its write buffer");
        assert_eq!(inner.read_buf.capacity(), 0, "an idle connection kept its read buffer");
    };
    assert_idle(&dispatcher);

    let response = io.take_write_buf();
    // Compare the complete body separately from the generated HTTP headers.
    // A released buffer must not come at the cost of missing response bytes.
    let body_start = response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap()
        + 4;
    assert_eq!(&response[body_start..], vec![b'x'; body_len]);

    // The connection must remain usable, including after a partial write.
    io.extend_read_buf("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert!(dispatcher.as_mut().poll(&mut cx).is_pending());
    let second_response = io.take_write_buf();
    let second_body_start = second_response
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap()
        + 4;
    assert_eq!(
        &second_response[second_body_start..],
        &response[body_start..]
    );
    assert_idle(&dispatcher);
}

#[actix_rt::test]
async fn oversized_write_buffer_released_after_flush() {
    check_buffers_released(1024 * 1024, 32 * 1024, false).await;
}

#[actix_rt::test]
async fn oversized_write_buffer_released_after_partial_write() {
    check_buffers_released(1024 * 1024, 32 * 1024, true).await;
}

#[actix_rt::test]
async fn normal_write_buffer_released_after_flush() {
    check_buffers_released(1024, 32 * 1024, false).await;
}

#[actix_rt::test]
async fn configured_write_buffer_released_after_flush() {
    check_buffers_released(256 * 1024, 1024 * 1024, false).await;
}

#[actix_rt::test]
async fn small_write_watermark_buffer_released_after_flush() {
    check_buffers_released(64 * 1024, 8 * 1024, false).await;
}

#[actix_rt::test]
async fn buffer_above_configured_write_watermark_released() {
    check_buffers_released(512 * 1024, 256 * 1024, false).await;
}

/// A body read apart from its head comes out as a chunk that nothing else holds once the
/// connection is idle: the read buffer let go of the allocation the chunk was split from, so a
/// consumer that keeps the chunk (actix-ws keeps a socket's last read) keeps only that much.
#[actix_rt::test]
async fn a_body_chunk_is_not_tied_to_the_read_buffer_once_idle() {
    let mut io = TestBuffer::new("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 16\r\n\r\n");
    let kept: Rc<Cell<Option<bytes::Bytes>>> = Rc::new(Cell::new(None));
    let keep = kept.clone();
    let services = HttpFlow::new(
        fn_service(move |mut req: Request| {
            let keep = keep.clone();
            async move {
                use futures_util::StreamExt as _;
                let mut payload = req.take_payload();
                while let Some(chunk) = payload.next().await {
                    keep.set(Some(chunk.unwrap()));
                }
                Ok::<_, Error>(Response::ok())
            }
        }),
        ExpectHandler,
        None::<UpgradeHandler>,
    );
    let dispatcher = Dispatcher::new(
        io.clone(),
        services,
        ServiceConfigBuilder::new().build(),
        None,
        OnConnectData::default(),
    );
    let mut dispatcher = pin!(dispatcher);
    let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());

    assert!(dispatcher.as_mut().poll(&mut cx).is_pending());
    io.extend_read_buf("0123456789abcdef");
    for _ in 0..3 {
        assert!(dispatcher.as_mut().poll(&mut cx).is_pending());
    }
    let response = io.take_write_buf();
    assert!(response.starts_with(b"HTTP/1.1 200 OK"));
    let chunk = kept.take().expect("the body chunk");
    assert_eq!(&chunk[..], b"0123456789abcdef");
    assert!(chunk.is_unique(), "the dispatcher still holds the body's allocation");
}
