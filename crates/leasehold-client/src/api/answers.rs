//! Error answers of the client protocol as typed [`ClientError`]s.

use crate::error::{ClientError, LeaseEnd};
use leasehold_core::ErrorCode;
use leasehold_core::LeaseId;
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::client::CheckoutRequest;
use reqwest::StatusCode;
use std::time::Duration;

/// Used when a `no_seat_free` answer carries no retry time.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);

/// An error answer: its status and body.
pub(super) struct ErrorAnswer {
    pub status: StatusCode,
    pub body: ErrorBody,
}

pub(super) fn checkout_error(request: &CheckoutRequest, answer: ErrorAnswer) -> ClientError {
    let body = answer.body;
    if let Some(taken) = body.seats_taken() {
        return ClientError::NoSeatFree {
            product: request.product.clone(),
            seats: taken.seats,
            in_use: taken.in_use,
            retry_after: taken
                .retry_after_secs
                .map_or(DEFAULT_RETRY_AFTER, |s| Duration::from_secs(u64::from(s))),
        };
    }
    match body.error_code() {
        Some(ErrorCode::NoLicenseForProduct) => ClientError::NoLicense {
            product: request.product.clone(),
            message: body.message,
        },
        Some(ErrorCode::NoValidLicense) => ClientError::NoValidLicense {
            product: request.product.clone(),
            message: body.message,
        },
        _ => other_error(ErrorAnswer {
            status: answer.status,
            body,
        }),
    }
}

pub(super) fn lease_error(lease_id: LeaseId, answer: ErrorAnswer) -> ClientError {
    let body = answer.body;
    if let Some(reason) = LeaseEnd::from_code(&body.code) {
        return ClientError::LeaseLost {
            lease_id,
            reason,
            message: body.message,
        };
    }
    if body.error_code() == Some(ErrorCode::OverSubscribed) {
        return ClientError::OverSubscribed {
            lease_id,
            expires_at: body.runs_until(),
            message: body.message,
        };
    }
    other_error(ErrorAnswer {
        status: answer.status,
        body,
    })
}

pub(super) fn other_error(answer: ErrorAnswer) -> ClientError {
    ClientError::Server {
        status: answer.status.as_u16(),
        code: answer.body.code,
        message: answer.body.message,
    }
}
