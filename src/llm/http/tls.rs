//! The HTTP client's TLS set-up: rustls with the `ring` provider, TLS 1.2 and 1.3, ALPN `h2`
//! then `http/1.1`, and the platform's certificate verifier (the system's root certificates
//! plus the provider's `ca_cert`) — the same configuration reqwest builds by itself, except
//! that the system's root store is read on the first TLS handshake instead of when the client
//! is built. Reading and parsing every system root costs a few milliseconds and a few hundred
//! KiB on every start, which an `http://` endpoint (a local server, a loopback proxy) never
//! needs. This module owns no I/O of its own beyond what the verifier reads.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use rustls_platform_verifier::Verifier;

/// What is wrong with a `ca_cert` file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaCertError {
    #[error("not a PEM certificate file")]
    NotPem,
    #[error("no certificate in the file")]
    Empty,
    #[error("{0}")]
    Invalid(String),
}

/// The certificates of a PEM bundle (a `ca_cert` file), each checked to be a usable root.
pub fn extra_roots(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, CaCertError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| CaCertError::NotPem)?;
    if certs.is_empty() {
        return Err(CaCertError::Empty);
    }
    // The platform verifier would refuse these when it is built, at the first handshake;
    // checking them here keeps the error where the setting is read.
    let mut store = rustls::RootCertStore::empty();
    for cert in &certs {
        store
            .add(cert.clone())
            .map_err(|err| CaCertError::Invalid(err.to_string()))?;
    }
    Ok(certs)
}

/// The client configuration, trusting the system's roots and `extra`.
pub fn client_config(
    extra: Vec<CertificateDer<'static>>,
) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = LazyVerifier {
        provider: Arc::clone(&provider),
        extra,
        platform: OnceLock::new(),
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The platform verifier, built on the first certificate it is asked about.
#[derive(Debug)]
struct LazyVerifier {
    provider: Arc<CryptoProvider>,
    extra: Vec<CertificateDer<'static>>,
    platform: OnceLock<Result<Verifier, rustls::Error>>,
}

impl LazyVerifier {
    fn platform(&self) -> Result<&Verifier, rustls::Error> {
        self.platform
            .get_or_init(|| {
                let provider = Arc::clone(&self.provider);
                if self.extra.is_empty() {
                    Verifier::new(provider)
                } else {
                    Verifier::new_with_extra_roots(self.extra.iter().cloned(), provider)
                }
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl ServerCertVerifier for LazyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.platform()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.platform()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.platform()?.verify_tls13_signature(message, cert, dss)
    }

    /// Asked before any certificate arrives (for the ClientHello): the provider's schemes,
    /// which is what the platform verifier answers too, without reading the roots.
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_cert_files_that_hold_no_usable_root_are_refused() {
        assert_eq!(extra_roots(b""), Err(CaCertError::Empty));
        assert_eq!(extra_roots(b"just some text\n"), Err(CaCertError::Empty));
        let broken = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        assert_eq!(extra_roots(broken), Err(CaCertError::NotPem));
        let not_der = b"-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n";
        assert!(matches!(extra_roots(not_der), Err(CaCertError::Invalid(_))));
    }

    #[test]
    fn the_schemes_are_known_without_reading_the_roots() {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = LazyVerifier {
            provider: Arc::clone(&provider),
            extra: Vec::new(),
            platform: OnceLock::new(),
        };
        assert!(!verifier.supported_verify_schemes().is_empty());
        assert!(verifier.platform.get().is_none());
    }
}
