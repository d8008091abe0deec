//! TLS: the local certificate authority, the server certificate it issues, and the rustls
//! configuration the listener uses.
//!
//! The CA (CA:TRUE, keyCertSign) persists in the state directory so a developer trusts it once;
//! the server leaf is issued afresh at every start for `localhost`, `127.0.0.1`, `::1` and every
//! `--tls-san`, so adding a name never needs a new CA. Validity dates are fixed rather than read
//! from a clock: trust must not depend on the virtual clock tests move around.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::config::TlsSource;
use crate::persist;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {reason}")]
    BadPem { path: PathBuf, reason: String },
    #[error("certificate generation failed: {0}")]
    Rcgen(#[from] rcgen::Error),
    #[error("TLS configuration rejected: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The local CA: its certificate (what users trust) and its key (what signs the leaf).
pub struct LocalCa {
    pub cert_pem: String,
    /// Where the PEM lives on disk; `None` when ephemeral.
    pub path: Option<PathBuf>,
    key: KeyPair,
}

/// Everything the listener and the control API need.
#[derive(Clone)]
pub struct Tls {
    /// What `GET /__emulator/ca.pem` serves.
    pub ca_pem: Arc<str>,
    pub ca_path: Option<PathBuf>,
    pub acceptor: TlsAcceptor,
}

const CA_COMMON_NAME: &str = "auth0-emulator local CA";

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, CA_COMMON_NAME);
    dn.push(DnType::OrganizationName, "auth0-emulator");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2049, 12, 31);
    params
}

/// Loads the CA from `state_dir`, or makes one (and saves it there, unless ephemeral).
pub fn load_or_create_ca(state_dir: Option<&Path>) -> Result<LocalCa, TlsError> {
    if let Some(dir) = state_dir {
        let (cert_path, key_path) = (dir.join(persist::CA_CERT), dir.join(persist::CA_KEY));
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| TlsError::Io { path, source }
        };
        let cert = persist::read_optional(&cert_path).map_err(io(&cert_path))?;
        let key = persist::read_optional(&key_path).map_err(io(&key_path))?;
        if let (Some(cert_pem), Some(key_pem)) = (cert, key) {
            let key = KeyPair::from_pem(&key_pem)
                .map_err(|e| TlsError::BadPem { path: key_path.clone(), reason: e.to_string() })?;
            return Ok(LocalCa { cert_pem, path: Some(cert_path), key });
        }
        let ca = generate_ca()?;
        persist::write_atomic(&key_path, ca.key.serialize_pem().as_bytes(), true).map_err(io(&key_path))?;
        persist::write_atomic(&cert_path, ca.cert_pem.as_bytes(), false).map_err(io(&cert_path))?;
        return Ok(LocalCa { path: Some(cert_path), ..ca });
    }
    generate_ca()
}

fn generate_ca() -> Result<LocalCa, TlsError> {
    let key = KeyPair::generate()?;
    let cert = ca_params().self_signed(&key)?;
    Ok(LocalCa { cert_pem: cert.pem(), path: None, key })
}

impl LocalCa {
    /// Issues a server certificate for the loopback names plus `extra_sans`.
    fn issue_leaf(&self, extra_sans: &[String]) -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), TlsError> {
        let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
        for san in extra_sans {
            // A domain such as `localhost:4443` names a host; the certificate wants the host only.
            let host = strip_port(san).to_string();
            if !host.is_empty() && !names.contains(&host) {
                names.push(host);
            }
        }
        let mut params = CertificateParams::new(names)?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "localhost");
        params.distinguished_name = dn;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        params.not_before = rcgen::date_time_ymd(2024, 1, 1);
        params.not_after = rcgen::date_time_ymd(2049, 12, 31);
        let leaf_key = KeyPair::generate()?;
        let issuer = Issuer::new(ca_params(), &self.key);
        let leaf = params.signed_by(&leaf_key, &issuer)?;
        let key_der = PrivateKeyDer::try_from(leaf_key.serialize_der())
            .map_err(|e| TlsError::Rustls(rustls::Error::General(e.to_string())))?;
        Ok((leaf.der().clone(), key_der))
    }
}

/// `host:port` → `host`, leaving IPv6 literals (`::1`, `[::1]:443`) intact.
fn strip_port(name: &str) -> &str {
    if let Some(rest) = name.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match name.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => name,
    }
}

/// Builds the listener's TLS side from the configured source.
pub fn load(source: &TlsSource, state_dir: Option<&Path>, domain_host: &str) -> Result<Tls, TlsError> {
    let (ca_pem, ca_path, chain, key) = match source {
        TlsSource::Generated { extra_sans } => {
            let ca = load_or_create_ca(state_dir)?;
            let mut sans = extra_sans.clone();
            sans.push(domain_host.to_string());
            let (leaf, key) = ca.issue_leaf(&sans)?;
            let ca_der = CertificateDer::from_pem_slice(ca.cert_pem.as_bytes())
                .map_err(|e| TlsError::BadPem { path: ca.path.clone().unwrap_or_default(), reason: e.to_string() })?;
            (ca.cert_pem, ca.path, vec![leaf, ca_der], key)
        }
        TlsSource::Files { cert, key } => {
            let bad = |path: &Path| {
                let path = path.to_path_buf();
                move |e: rustls::pki_types::pem::Error| TlsError::BadPem { path, reason: e.to_string() }
            };
            let chain = CertificateDer::pem_file_iter(cert)
                .map_err(bad(cert))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(bad(cert))?;
            let key_der = PrivateKeyDer::from_pem_file(key).map_err(bad(key))?;
            let pem = std::fs::read_to_string(cert).map_err(|source| TlsError::Io { path: cert.clone(), source })?;
            // With a certificate of their own, the user's chain is the best answer to "what do I trust".
            (pem, Some(cert.clone()), chain, key_der)
        }
    };
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Tls { ca_pem: ca_pem.into(), ca_path, acceptor: TlsAcceptor::from(Arc::new(config)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_stripped_from_names_but_ipv6_survives() {
        assert_eq!(strip_port("localhost:4443"), "localhost");
        assert_eq!(strip_port("auth0"), "auth0");
        assert_eq!(strip_port("::1"), "::1");
        assert_eq!(strip_port("[::1]:4443"), "::1");
    }

    #[test]
    fn the_ca_persists_and_is_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = load_or_create_ca(Some(dir.path())).expect("create");
        let second = load_or_create_ca(Some(dir.path())).expect("load");
        assert_eq!(first.cert_pem, second.cert_pem);
        assert!(dir.path().join(persist::CA_KEY).exists());
    }
}
