//! What can go wrong, as data: each problem knows its HTTP status, and the pages module
//! words it in the reader's language. Handlers return these instead of panicking, and no
//! problem maps to 500.

/// Which authorization flow a callback belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Keycloak,
    OpenShift,
}

/// A server the app talks to, for naming it in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Server {
    Keycloak,
    OpenShiftOAuth,
    OpenShiftApi,
}

/// Which token request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStep {
    KeycloakCode,
    Exchange,
    OpenShiftCode,
}

/// Why the ID token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdTokenFault {
    Missing,
    Malformed,
    Algorithm,
    UnknownKey,
    Signature,
    Issuer,
    Audience,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    // 400: the request or callback cannot be accepted.
    SignInExpired(Flow),
    StateMismatch(Flow),
    AlreadyUsed(Flow),
    ProviderError {
        flow: Flow,
        error: String,
        description: String,
    },
    MissingCode(Flow),
    ParamTooLong {
        name: &'static str,
        max: usize,
    },
    NotSignedIn,
    NonceMismatch,
    // 404, 405, 414.
    NotFound,
    MethodNotAllowed,
    QueryTooLong {
        max: usize,
    },
    // 502: an upstream failed or said no.
    Unreachable {
        server: Server,
        host: String,
        detail: String,
        /// https, and not plainly a TCP or DNS failure: TLS may be the cause.
        tls_possible: bool,
        tls_suspect: bool,
    },
    Discovery {
        server: Server,
        url: String,
        detail: String,
    },
    Refused {
        step: TokenStep,
        status: u16,
        error: String,
        description: String,
    },
    BadAnswer {
        server: Server,
        detail: String,
    },
    IdToken(IdTokenFault),
    OcpApi {
        status: u16,
        url: String,
        message: String,
    },
    LogoutIncomplete(Box<Problem>),
    // 503: the safety net caught a panic.
    Internal,
}

impl Problem {
    pub fn status(&self) -> u16 {
        match self {
            Problem::SignInExpired(_)
            | Problem::StateMismatch(_)
            | Problem::AlreadyUsed(_)
            | Problem::ProviderError { .. }
            | Problem::MissingCode(_)
            | Problem::ParamTooLong { .. }
            | Problem::NotSignedIn
            | Problem::NonceMismatch => 400,
            Problem::NotFound => 404,
            Problem::MethodNotAllowed => 405,
            Problem::QueryTooLong { .. } => 414,
            Problem::Unreachable { .. }
            | Problem::Discovery { .. }
            | Problem::Refused { .. }
            | Problem::BadAnswer { .. }
            | Problem::IdToken(_)
            | Problem::OcpApi { .. }
            | Problem::LogoutIncomplete(_) => 502,
            Problem::Internal => 503,
        }
    }

    /// A short stable name for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::SignInExpired(_) => "sign_in_expired",
            Problem::StateMismatch(_) => "state_mismatch",
            Problem::AlreadyUsed(_) => "response_already_used",
            Problem::ProviderError { .. } => "provider_error",
            Problem::MissingCode(_) => "missing_code",
            Problem::ParamTooLong { .. } => "parameter_too_long",
            Problem::NotSignedIn => "not_signed_in",
            Problem::NonceMismatch => "nonce_mismatch",
            Problem::NotFound => "not_found",
            Problem::MethodNotAllowed => "method_not_allowed",
            Problem::QueryTooLong { .. } => "query_too_long",
            Problem::Unreachable { .. } => "upstream_unreachable",
            Problem::Discovery { .. } => "discovery_failed",
            Problem::Refused { .. } => "token_request_refused",
            Problem::BadAnswer { .. } => "bad_upstream_answer",
            Problem::IdToken(_) => "id_token_rejected",
            Problem::OcpApi { .. } => "openshift_api_error",
            Problem::LogoutIncomplete(_) => "logout_incomplete",
            Problem::Internal => "internal",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_problem_is_a_500() {
        let all = [
            Problem::SignInExpired(Flow::Keycloak),
            Problem::NotFound,
            Problem::QueryTooLong { max: 1 },
            Problem::IdToken(IdTokenFault::Signature),
            Problem::Internal,
        ];
        assert!(all.iter().all(|p| p.status() != 500));
    }
}
