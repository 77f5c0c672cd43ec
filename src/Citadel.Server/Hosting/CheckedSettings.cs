using System.Net;

namespace Citadel.Server.Hosting;

/// <summary>What checking the settings produced before anything was created: the listen addresses, the TLS certificate, the seed file, the XKS client certificate authorities.</summary>
internal sealed record CheckedSettings(IPEndPoint Endpoint, IPEndPoint? MetricsEndpoint, TlsCertificate? Tls, Seeding.SeedFile? Seed, Xks.XksClientCertificates? XksClients);
