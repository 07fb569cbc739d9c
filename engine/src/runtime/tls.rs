//! TLS over any [`Transport`], with rustls (`SocketUseSSL=Y`).
//!
//! [`TlsTransport`] wraps the inner transport's byte streams: accepted
//! connections run a rustls server, connected ones a client. Certificates
//! and keys are PEM files named by the QuickFIX settings (see
//! `docs/CONFIG.md`). With `CertificateVerifyLevel` above 0 an acceptor
//! requires a client certificate signed by `CertificationAuthoritiesFile`
//! (mutual TLS); an initiator always verifies the acceptor's certificate.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, Connection, RootCertStore, ServerConfig};
use rustls::{ServerConnection, SupportedProtocolVersion};

use super::transport::{ConnId, Transport};

/// Plaintext a connection may buffer before `send` returns 0.
const BUFFER_LIMIT: usize = 1 << 20;

/// The TLS settings (QuickFIX key names in brackets).
#[derive(Clone, Debug, Default)]
pub struct TlsSettings {
    /// Our certificate chain, PEM (`ServerCertificateFile` on an
    /// acceptor, `ClientCertificateFile` on an initiator).
    pub certificate: Option<PathBuf>,
    /// Its private key, PEM (`…CertificateKeyFile`).
    pub key: Option<PathBuf>,
    /// CAs that sign the peer's certificate (`CertificationAuthoritiesFile`).
    pub ca: Option<PathBuf>,
    /// Acceptor: require and verify a client certificate
    /// (`CertificateVerifyLevel` > 0).
    pub verify_peer: bool,
    /// Name to verify in the acceptor's certificate (`SSLServerName`);
    /// default: the IP address connected to.
    pub server_name: Option<String>,
    /// Only TLS 1.3 (`SSLProtocol=TLSv1.3`); default TLS 1.2 and 1.3.
    pub tls13_only: bool,
}

/// Why TLS cannot be set up; each says which setting to fix.
#[derive(Debug)]
pub enum TlsError {
    /// A PEM file cannot be read or holds nothing usable.
    File {
        /// The setting's file.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// A setting the role needs is missing.
    Missing(&'static str),
    /// rustls refused the configuration.
    Config(String),
}

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File { path, why } => write!(f, "TLS file {}: {why}", path.display()),
            Self::Missing(key) => write!(f, "SocketUseSSL=Y needs {key}"),
            Self::Config(why) => write!(f, "TLS configuration refused: {why}"),
        }
    }
}

impl std::error::Error for TlsError {}

fn file_err(path: &Path, why: impl std::fmt::Display) -> TlsError {
    TlsError::File {
        path: path.to_owned(),
        why: why.to_string(),
    }
}

fn certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| file_err(path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_err(path, e))?;
    if certs.is_empty() {
        return Err(file_err(path, "no PEM certificate in it"));
    }
    Ok(certs)
}

fn key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| file_err(path, e))
}

fn roots(path: &Path) -> Result<Arc<RootCertStore>, TlsError> {
    let mut store = RootCertStore::empty();
    for c in certs(path)? {
        store.add(c).map_err(|e| file_err(path, e))?;
    }
    Ok(Arc::new(store))
}

static TLS13_ONLY: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS13];

fn versions(s: &TlsSettings) -> &'static [&'static SupportedProtocolVersion] {
    if s.tls13_only {
        &TLS13_ONLY
    } else {
        rustls::DEFAULT_VERSIONS
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn cfg_err(e: rustls::Error) -> TlsError {
    TlsError::Config(e.to_string())
}

/// The acceptor side, when a certificate and key are configured.
fn server_config(s: &TlsSettings) -> Result<Option<Arc<ServerConfig>>, TlsError> {
    let (Some(cert), Some(key_path)) = (&s.certificate, &s.key) else {
        return Ok(None);
    };
    let builder = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(versions(s))
        .map_err(cfg_err)?;
    let builder = if s.verify_peer {
        let ca =
            s.ca.as_deref()
                .ok_or(TlsError::Missing("CertificationAuthoritiesFile"))?;
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(roots(ca)?, provider())
                .build()
                .map_err(|e| TlsError::Config(e.to_string()))?;
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let cfg = builder
        .with_single_cert(certs(cert)?, key(key_path)?)
        .map_err(cfg_err)?;
    Ok(Some(Arc::new(cfg)))
}

/// The initiator side: it always verifies the acceptor.
fn client_config(s: &TlsSettings) -> Result<Option<Arc<ClientConfig>>, TlsError> {
    let Some(ca) = &s.ca else {
        return Ok(None);
    };
    let builder = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions(s))
        .map_err(cfg_err)?
        .with_root_certificates(roots(ca)?);
    let cfg = match (&s.certificate, &s.key) {
        (Some(c), Some(k)) => builder
            .with_client_auth_cert(certs(c)?, key(k)?)
            .map_err(cfg_err)?,
        _ => builder.with_no_client_auth(),
    };
    Ok(Some(Arc::new(cfg)))
}

/// The inner transport as `Read`/`Write` for one connection; "nothing
/// now" becomes `WouldBlock`, as rustls expects.
struct Io<'a, T>(&'a mut T, ConnId);

impl<T: Transport> Read for Io<'_, T> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.recv(self.1, buf)? {
            0 => Err(io::ErrorKind::WouldBlock.into()),
            n => Ok(n),
        }
    }
}

impl<T: Transport> Write for Io<'_, T> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.0.send(self.1, buf)? {
            0 => Err(io::ErrorKind::WouldBlock.into()),
            n => Ok(n),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// TLS on top of `T`.
///
/// ```no_run
/// use gapless::runtime::tls::{TlsSettings, TlsTransport};
/// use gapless::runtime::transport::KernelTransport;
/// let s = TlsSettings {
///     certificate: Some("server.pem".into()),
///     key: Some("server.key".into()),
///     ..Default::default()
/// };
/// let t = TlsTransport::new(KernelTransport::new("127.0.0.1".parse().unwrap()), &s).unwrap();
/// ```
pub struct TlsTransport<T> {
    inner: T,
    server: Option<Arc<ServerConfig>>,
    client: Option<Arc<ClientConfig>>,
    server_name: Option<ServerName<'static>>,
    conns: Vec<Option<Connection>>,
}

impl<T: Transport> TlsTransport<T> {
    /// Loads the certificates and keys `settings` names.
    pub fn new(inner: T, settings: &TlsSettings) -> Result<Self, TlsError> {
        let server_name = match &settings.server_name {
            Some(n) => Some(
                ServerName::try_from(n.clone())
                    .map_err(|_| TlsError::Config(format!("SSLServerName={n} is not a name")))?,
            ),
            None => None,
        };
        Ok(TlsTransport {
            inner,
            server: server_config(settings)?,
            client: client_config(settings)?,
            server_name,
            conns: Vec::new(),
        })
    }

    fn set(&mut self, c: ConnId, conn: Connection) {
        if self.conns.len() <= c {
            self.conns.resize_with(c + 1, || None);
        }
        self.conns[c] = Some(conn);
    }

    /// Moves TLS records between rustls and the inner transport.
    fn drive(&mut self, c: ConnId) -> io::Result<()> {
        let Self { inner, conns, .. } = self;
        let conn = conns
            .get_mut(c)
            .and_then(Option::as_mut)
            .ok_or(io::ErrorKind::NotConnected)?;
        flush(conn, inner, c)?;
        if conn.wants_read() {
            match conn.read_tls(&mut Io(inner, c)) {
                Ok(0) => return Err(io::ErrorKind::ConnectionAborted.into()),
                Ok(_) => {
                    conn.process_new_packets()
                        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        flush(conn, inner, c)
    }
}

fn flush<T: Transport>(conn: &mut Connection, inner: &mut T, c: ConnId) -> io::Result<()> {
    while conn.wants_write() {
        match conn.write_tls(&mut Io(inner, c)) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

impl<T: Transport> Transport for TlsTransport<T> {
    fn listen(&mut self, port: u16) -> io::Result<()> {
        if self.server.is_none() {
            return Err(io::Error::other(
                "SocketUseSSL=Y on an acceptor needs ServerCertificateFile and ServerCertificateKeyFile",
            ));
        }
        self.inner.listen(port)
    }

    fn connect(&mut self, addr: SocketAddr) -> io::Result<ConnId> {
        let cfg = self.client.clone().ok_or_else(|| {
            io::Error::other("SocketUseSSL=Y on an initiator needs CertificationAuthoritiesFile")
        })?;
        let name = self
            .server_name
            .clone()
            .unwrap_or_else(|| ServerName::IpAddress(addr.ip().into()));
        let mut conn = ClientConnection::new(cfg, name).map_err(io::Error::other)?;
        conn.set_buffer_limit(Some(BUFFER_LIMIT));
        let c = self.inner.connect(addr)?;
        self.set(c, conn.into());
        Ok(c)
    }

    fn connected(&mut self, c: ConnId) -> bool {
        self.inner.connected(c)
            && self.drive(c).is_ok()
            && self.conns[c].as_ref().is_some_and(|t| !t.is_handshaking())
    }

    fn accept(&mut self) -> Option<(ConnId, u16)> {
        let (c, port) = self.inner.accept()?;
        match self.server.clone().map(ServerConnection::new) {
            Some(Ok(mut conn)) => {
                conn.set_buffer_limit(Some(BUFFER_LIMIT));
                self.set(c, conn.into());
                Some((c, port))
            }
            _ => {
                self.inner.close(c);
                None
            }
        }
    }

    fn recv(&mut self, c: ConnId, buf: &mut [u8]) -> io::Result<usize> {
        self.drive(c)?;
        let conn = self.conns[c].as_mut().ok_or(io::ErrorKind::NotConnected)?;
        match conn.reader().read(buf) {
            Ok(0) if !buf.is_empty() => Err(io::ErrorKind::ConnectionAborted.into()),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
            Err(e) => Err(e),
        }
    }

    fn send(&mut self, c: ConnId, buf: &[u8]) -> io::Result<usize> {
        self.drive(c)?;
        let conn = self.conns[c].as_mut().ok_or(io::ErrorKind::NotConnected)?;
        if conn.is_handshaking() {
            return Ok(0);
        }
        let n = conn.writer().write(buf)?;
        self.drive(c)?;
        Ok(n)
    }

    fn close(&mut self, c: ConnId) {
        if let Some(mut conn) = self.conns.get_mut(c).and_then(Option::take) {
            conn.send_close_notify();
            let _ = flush(&mut conn, &mut self.inner, c);
        }
        self.inner.close(c);
    }

    fn peer_ip(&mut self, c: ConnId) -> Option<std::net::IpAddr> {
        self.inner.peer_ip(c)
    }

    fn poll(&mut self) {
        self.inner.poll();
        let Self { inner, conns, .. } = self;
        for (c, slot) in conns.iter_mut().enumerate() {
            if let Some(conn) = slot {
                let _ = flush(conn, inner, c);
            }
        }
    }
}
