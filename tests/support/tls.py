"""TLS for the tests' own servers (the webhook receiver's HTTPS, the SMTP server's
STARTTLS): a certificate from a throwaway CA that only the test's client trusts."""

from __future__ import annotations

import datetime
import ipaddress
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def tls_pair(host_name: str, folder: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a certificate for `host_name` (a DNS name or an IP address)
    from a throwaway CA, and a client context that trusts only that CA (files written in
    `folder`)."""

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    end = start + datetime.timedelta(days=2)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("pakn test CA"))
        .issuer_name(name("pakn test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name(host_name))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName([_subject(host_name)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    with open(f"{folder}/cert.pem", "wb") as out:
        out.write(certificate.public_bytes(pem))
    with open(f"{folder}/key.pem", "wb") as out:
        out.write(
            key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(f"{folder}/cert.pem", f"{folder}/key.pem")
    client = ssl.create_default_context(cadata=ca.public_bytes(pem).decode())
    return server, client


def _subject(host_name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host_name))
    except ValueError:
        return x509.DNSName(host_name)
