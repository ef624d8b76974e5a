//! Strings across the boundary: read the caller's, write into the
//! caller's fixed buffers.

use crate::Failure;
use std::ffi::{CStr, c_char};

/// The caller's NUL-terminated UTF-8 string; `what` names it in the error.
pub(crate) fn read<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::invalid(format!("{what} is null")));
    }
    // SAFETY: the caller passes a NUL-terminated string that outlives the call.
    unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .map_err(|_| Failure::invalid(format!("{what} is not UTF-8")))
}

/// `read`, with null meaning "not given".
pub(crate) fn read_opt<'a>(ptr: *const c_char, what: &str) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        Ok(None)
    } else {
        read(ptr, what).map(Some)
    }
}

/// Writes `text` NUL-terminated into `buf`, cut at a character boundary
/// when it does not fit.
pub(crate) fn write(buf: &mut [c_char], text: &str) {
    let Some(room) = buf.len().checked_sub(1) else {
        return;
    };
    let mut end = text.len().min(room);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    for (slot, byte) in buf.iter_mut().zip(&text.as_bytes()[..end]) {
        *slot = *byte as c_char;
    }
    buf[end] = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_at_a_character_boundary_and_terminated() {
        let mut buf = [1 as c_char; 6];
        write(&mut buf, "abcdé€");
        // SAFETY: write always terminates.
        let back = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap();
        assert_eq!(back, "abcd");
        write(&mut buf, "ok");
        assert_eq!(
            unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap(),
            "ok"
        );
    }
}
