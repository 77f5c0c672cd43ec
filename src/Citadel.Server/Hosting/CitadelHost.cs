using System.Net;
using System.Net.Security;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Audit;
using Citadel.Server.Audit.Streaming;
using Citadel.Server.Authorization;
using Citadel.Server.Cluster;
using Citadel.Server.Jobs;
using Citadel.Server.Kms;
using Citadel.Server.Observability;
using Citadel.Server.Protocol;
using Citadel.Server.Query;
using Citadel.Server.Seal;
using Citadel.Server.SigV4;
using Citadel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Citadel.Server.Hosting;

/// <summary>Builds and starts the server: storage, seal, KMS engine, SigV4, the JSON endpoint and background jobs.</summary>
public static class CitadelHost
{
    /// <summary>
    /// Builds the web application. The caller starts it (RunAsync or StartAsync). Each step below is
    /// one method; everything an operator can get wrong is checked before the data directory is touched.
    /// </summary>
    public static async Task<WebApplication> BuildAsync(ServerSettings settings, Action<IServiceCollection>? configure = null, CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        BindConfiguration(builder.Configuration, settings);
        var checkedSettings = CheckSettings(settings);
        ConfigureLogging(builder.Logging, settings);
        ConfigureKestrel(builder.WebHost, checkedSettings);
        AddOptions(builder, settings);
        var services = builder.Services;
        AddSeal(services, settings);
        var storage = StorageRegistration.AddStorage(services, settings);
        AddDataDirectory(services, settings);
        AddKms(services, settings);
        if (checkedSettings.XksClients is { } xksClients)
        {
            services.AddSingleton(xksClients);
        }

        AddAuthentication(services);
        services.AddSingleton(new Query.Sts.OidcProviders([.. settings.OidcProviders, .. settings.Config?.OidcProviders ?? []]));
        MetricsSetup.AddObservability(services, settings, storage);
        AddAudit(services, settings);
        AddJobs(services);
        configure?.Invoke(services);

        var app = builder.Build();
        try
        {
            CheckOptions(app.Services);

            // Resolved first, so it is disposed last: the lock outlives the store.
            var dataDirectory = app.Services.GetRequiredService<DataDirectoryLease>();
            app.Lifetime.ApplicationStarted.Register(dataDirectory.Started);
            await PrepareStoreAsync(app.Services, settings, checkedSettings, storage, ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        MapEndpoints(app, settings, checkedSettings);
        return app;
    }

    /// <summary>
    /// Step 1: what can be checked without creating anything (listen addresses, TLS files, the
    /// development account, the seed file), and the defaults that depend on other settings.
    /// </summary>
    private static CheckedSettings CheckSettings(ServerSettings settings)
    {
        var endpoint = ParseListen(settings.Listen);
        if (settings.Development && !settings.DevListenAnywhere && !IPAddress.IsLoopback(endpoint.Address))
        {
            throw new InvalidOperationException($"Development mode listens on loopback only, but --listen was {settings.Listen}. Use 127.0.0.1 or [::1]; inside a container, add --bind-all; or run without --dev.");
        }

        var tls = LoadTls(settings);
        var xksClients = LoadXksClients(settings, tls);

        EnsureFree(endpoint, settings.Listen);
        var metricsEndpoint = MetricsSetup.ParseListen(settings, endpoint);
        if (metricsEndpoint is not null)
        {
            EnsureFree(metricsEndpoint, settings.Observability.MetricsListen!);
        }

        if (settings.Development && !Accounts.IsValidId(settings.DevAccountId))
        {
            throw new InvalidOperationException($"--account must be 12 digits, but was '{settings.DevAccountId}'.");
        }

        var seedPath = settings.SeedFile ?? settings.Config?.SeedFile;
        var seed = seedPath is null ? null : Seeding.SeedFile.Load(seedPath, settings.Development ? settings.DevAccountId : null, settings.Region);
        if (!StorageRegistration.Provider(settings).SingleNode && settings.Audit.ChainId == "local")
        {
            // Nodes share one database: each process writes its own hash chain, so writers never
            // contend for a sequence and every chain verifies on its own.
            settings.Audit.ChainId = $"{Environment.MachineName}-{Guid.NewGuid():N}";
        }

        settings.Audit.JournalDirectory ??= Path.Combine(settings.DataDirectory, JournalSegments.JournalDirectoryName);
        settings.Audit.SyncJournal = settings.Durability == Durability.Full;
        return new CheckedSettings(endpoint, metricsEndpoint, tls, seed, xksClients);
    }

    /// <summary>Step 2: console logging at the operator's level.</summary>
    private static void ConfigureLogging(ILoggingBuilder logging, ServerSettings settings)
    {
        logging.ClearProviders();
        LogSetup.AddConsole(logging, settings);

        // ASP.NET Core logs three lines per request at Information ("Request starting", "Executed
        // endpoint", "Request finished"): at load, writing them cost a fifth of the server's CPU and
        // gigabytes of log. They show at Debug and below; the audit trail records every request anyway.
        logging.AddFilter("Microsoft.AspNetCore", settings.LogLevel <= LogLevel.Debug ? settings.LogLevel : LogLevel.Warning);
    }

    /// <summary>Step 3: the API listener (with TLS when configured) and the metrics listener.</summary>
    private static void ConfigureKestrel(IWebHostBuilder webHost, CheckedSettings checkedSettings)
    {
        var tls = checkedSettings.Tls;
        var xksClients = checkedSettings.XksClients;
        webHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(checkedSettings.Endpoint, listen =>
            {
                if (tls is not null)
                {
                    listen.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        // Per connection: the certificate of the moment, so a renewed file is served without a restart.
                        OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                        {
                            ServerCertificateContext = tls.ForHandshake(),
                            ApplicationProtocols = ApplicationProtocols,

                            // Asked of every client when XKS mutual TLS is on; a client without one goes on (the KMS
                            // API needs none, the XKS endpoint refuses it), one with a certificate not chained to the
                            // XKS client CAs is refused the handshake, as the XKS specification requires.
                            ClientCertificateRequired = xksClients is not null,
                            RemoteCertificateValidationCallback = xksClients is null ? null : (_, certificate, chain, _) => certificate is null || xksClients.IsAcceptable(certificate, chain),
                        }),
                    });
                }
            });
            if (checkedSettings.MetricsEndpoint is not null)
            {
                kestrel.Listen(checkedSettings.MetricsEndpoint);
            }

            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
        });
    }

    /// <summary>
    /// Step 0: the configuration — CITADEL_ environment variables (CITADEL_Kms__JobInterval), then
    /// <see cref="ServerSettings.Options"/> — and, bound over what the settings say (which the configuration file and
    /// flags fill), the sections read before the container exists: Audit (the chain names the node to the store),
    /// Observability (logging and the metrics address are set up first) and AuditStream (the section turns the stream on).
    /// A value that is not of its type stops the start here, naming its key; nothing is created yet.
    /// </summary>
    private static void BindConfiguration(ConfigurationManager configuration, ServerSettings settings)
    {
        configuration.AddEnvironmentVariables(OptionChecks.EnvironmentPrefix);
        configuration.AddInMemoryCollection(settings.Options);
        configuration.GetSection("Audit").Bind(settings.Audit);
        if (configuration["Audit:OrphanIntervalForTests"] is { } orphans)
        {
            // Not an operator's option: end-to-end tests of several nodes shorten the orphan pass with it.
            settings.Audit.OrphanInterval = OptionChecks.Parsed<TimeSpan>("Audit:OrphanIntervalForTests", orphans, "a duration such as 00:00:01");
        }

        if (configuration["Audit:SyncPaceMicroseconds"] is { } pace)
        {
            // Not an operator's option: the journal's sync pacing, set for measurements (0 turns it off).
            settings.Audit.SyncPace = TimeSpan.FromMicroseconds(OptionChecks.Parsed<int>("Audit:SyncPaceMicroseconds", pace, "a whole number of microseconds (0 turns the pacing off)"));
        }

        configuration.GetSection("Observability").Bind(settings.Observability);
        if (configuration.GetSection("AuditStream") is { } stream && stream.Exists())
        {
            settings.AuditStream ??= new AuditStreamOptions();
            stream.Bind(settings.AuditStream);
        }
    }

    /// <summary>
    /// Step 4: the options, bound from the configuration (step 0): sections Kms and SigV4, and Audit, Observability and
    /// AuditStream as step 0 bound them onto the settings. Each has a validator, run once, before the data directory is
    /// touched (<see cref="CheckOptions"/>); not again when the host starts. The clock: the system's unless the caller registers one.
    /// </summary>
    private static void AddOptions(WebApplicationBuilder builder, ServerSettings settings)
    {
        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddOptions<KmsOptions>().BindConfiguration("Kms");
        services.AddSingleton<IValidateOptions<KmsOptions>, KmsOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<KmsOptions>>().Value);
        services.AddOptions<SigV4Options>().BindConfiguration("SigV4");
        services.AddSingleton<IValidateOptions<SigV4Options>, SigV4OptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SigV4Options>>().Value);

        services.AddOptions<AuditOptions>().Configure(o => o.CopyFrom(settings.Audit));
        services.AddSingleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AuditOptions>>().Value);
        services.AddOptions<ObservabilityOptions>().Configure(o => o.CopyFrom(settings.Observability));
        services.AddSingleton<IValidateOptions<ObservabilityOptions>, ObservabilityOptionsValidator>();
        services.AddOptions<AuditStreamOptions>().Configure(o => o.CopyFrom(settings.AuditStream ?? new()));
        services.AddSingleton<IValidateOptions<AuditStreamOptions>, AuditStreamOptionsValidator>();
        CustomKeyStores.CustomKeyStoreRegistration.AddOptions(services);
        services.TryAddSingleton(TimeProvider.System);
    }

    /// <summary>
    /// Runs the options validators, once, before the data directory is touched, and reports every
    /// failure of every section in one line (ValidateOnStart would report them only once the host starts, and validate again).
    /// </summary>
    private static void CheckOptions(IServiceProvider services)
    {
        var failures = new List<string>();
        Func<object>[] sections =
        [
            () => services.GetRequiredService<IOptions<KmsOptions>>().Value,
            () => services.GetRequiredService<IOptions<SigV4Options>>().Value,
            () => services.GetRequiredService<IOptions<AuditOptions>>().Value,
            () => services.GetRequiredService<IOptions<ObservabilityOptions>>().Value,

            // The stream's settings only when it is on.
            () => services.GetRequiredService<ServerSettings>().AuditStream is null ? 0 : services.GetRequiredService<IOptions<AuditStreamOptions>>().Value,
            () => services.GetRequiredService<IOptions<CustomKeyStores.CustomKeyStoreOptions>>().Value,
        ];
        foreach (var read in sections)
        {
            try
            {
                read();
            }
            catch (OptionsValidationException exception)
            {
                failures.AddRange(exception.Failures);
            }
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", failures));
        }
    }

    /// <summary>Step 5: the seal, opened at start once the store proved it holds the right root key; and the watcher that follows a root key rotation.</summary>
    private static void AddSeal(IServiceCollection services, ServerSettings settings)
    {
        services.AddSingleton<OpenedSeal>();
        services.AddSingleton(sp => sp.GetRequiredService<OpenedSeal>().Ring ?? throw new InvalidOperationException("The seal is opened at start, once the store proved it holds the right root key."));
        services.AddSingleton<ISeal>(sp => sp.GetRequiredService<SealRing>());
        services.AddHostedService(sp => new RootKeyWatcher(sp.GetRequiredService<IStore>(), sp.GetRequiredService<SealRing>(), settings.Pkcs11, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RootKeyWatcher>>()));
    }

    /// <summary>Step 6: the data directory, created and (for SQLite) locked when first resolved — after the options passed.</summary>
    private static void AddDataDirectory(IServiceCollection services, ServerSettings settings)
    {
        services.AddSingleton(sp => DataDirectoryLease.Take(settings.DataDirectory, exclusive: StorageRegistration.Provider(settings).SingleNode, sp.GetRequiredService<TimeProvider>()));
        if (settings.Development)
        {
            services.AddSingleton(sp => new DevClock(sp.GetRequiredService<TimeProvider>(), Path.Combine(settings.DataDirectory, "dev-clock-offset")));
        }
    }

    /// <summary>Step 7: the KMS engine — key and material caches, managed keys, identities, grants and the authorizer — and the endpoint.</summary>
    private static void AddKms(IServiceCollection services, ServerSettings settings)
    {
        services.AddSingleton<MaterialCache>();
        services.AddSingleton<KeyRepository>();
        services.AddSingleton(sp => new KmsRuntime(
            sp.GetRequiredService<IStore>(),
            sp.GetRequiredService<KeyRepository>(),
            sp.GetRequiredService<MaterialCache>(),
            sp.GetRequiredService<ISeal>(),
            settings.Development ? sp.GetRequiredService<DevClock>() : sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<KmsOptions>(),
            sp.GetRequiredService<Authorizer>(),
            sp.GetRequiredService<IAuditStore>(),
            sp.GetRequiredService<ServiceCatalog>(),
            sp.GetRequiredService<ManagedKeyFactory>(),
            sp.GetRequiredService<GrantRepository>(),
            sp.GetRequiredService<AliasRepository>())
        {
            CustomKeyStores = sp.GetRequiredService<CustomKeyStores.CustomKeyStoreService>(),
            ServiceAudit = new ServiceEventRecorder(sp.GetRequiredService<AuditWriter>(), sp.GetRequiredService<TimeProvider>()),
        });
        CustomKeyStores.CustomKeyStoreRegistration.AddServices(services);
        services.AddSingleton<ServiceCatalog>();
        services.AddSingleton<ManagedKeyFactory>();

        // Their writes drop cached grants and aliases through the change feed's own invalidator: one path for both.
        services.AddSingleton(sp => new GrantRepository(sp.GetRequiredService<IStore>(), sp.GetRequiredService<CacheInvalidator>()));
        services.AddSingleton(sp => new AliasRepository(sp.GetRequiredService<IStore>(), sp.GetRequiredService<CacheInvalidator>()));
        services.AddSingleton<IdentityDirectory>();
        services.AddSingleton<GrantDirectory>();
        services.AddSingleton<Authorizer>();
        services.AddSingleton<IdentitySyncJob>();
        services.AddHostedService(sp => sp.GetRequiredService<IdentitySyncJob>());
        Xks.XksSetup.Add(services);
        services.AddSingleton(sp => new KmsEndpoint(
            Operations.Kms,
            sp.GetRequiredService<SigV4Verifier>(),
            sp.GetRequiredService<KmsRuntime>(),
            sp.GetRequiredService<AuditWriter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<KmsEndpoint>>(),
            sp.GetRequiredService<RequestMetrics>()));
        services.AddSingleton(sp => new QueryEndpoint(
            QueryRegistry.All,
            sp.GetRequiredService<SigV4Verifier>(),
            sp.GetRequiredService<KmsRuntime>(),
            sp.GetRequiredService<AuditWriter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<QueryEndpoint>>()));

        // The IAM API: a change clears this node's identity caches at once; other nodes see the identity version move.
        services.AddSingleton(sp => new Iam.IamService(
            sp.GetRequiredService<IStore>(),
            sp.GetRequiredService<ISeal>(),
            sp.GetRequiredService<TimeProvider>(),
            () =>
            {
                sp.GetRequiredService<IdentityDirectory>().Clear();
                sp.GetRequiredService<AccessKeyCache>().Clear();
            }));
    }

    /// <summary>Step 8: SigV4 — access keys (cached) and the verifier.</summary>
    private static void AddAuthentication(IServiceCollection services)
    {
        services.AddSingleton<AccessKeyCache>();
        services.AddSingleton(sp => new SessionTokens(sp.GetRequiredService<ISeal>(), sp.GetRequiredService<KmsRuntime>().Time, sp.GetRequiredService<IdentityDirectory>()));
        services.AddSingleton(sp => new SigV4Verifier(sp.GetRequiredService<AccessKeyCache>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<SigV4Options>(), sp.GetRequiredService<SessionTokens>()));
    }

    /// <summary>Step 9: the audit writer, the reads that wait for its indexer, retention and the stream.</summary>
    private static void AddAudit(IServiceCollection services, ServerSettings settings)
    {
        services.AddSingleton(sp => new AuditWriter(sp.GetRequiredKeyedService<IAuditStore>(StoreServices.AuditTrail), sp.GetRequiredService<AuditOptions>(), sp.GetRequiredService<ILogger<AuditWriter>>(), sp.GetService<IAuditJournalStore>()));
        services.AddSingleton<IAuditStore>(sp => new IndexedAuditReads(sp.GetRequiredKeyedService<IAuditStore>(StoreServices.AuditTrail), sp.GetRequiredService<AuditWriter>()));
        services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        services.AddHostedService<AuditRetentionJob>();
        services.AddHostedService(sp => new AuditVerificationJob(sp.GetRequiredKeyedService<IAuditStore>(StoreServices.AuditTrail), sp.GetRequiredService<AuditOptions>(), sp.GetRequiredService<Storage.Cluster.IJobLock>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AuditVerificationJob>>()));
        if (settings.AuditStream is { } stream && settings.Audit.Enabled)
        {
            // Reads the store itself, not the request-facing reads that wait for the indexer: it polls anyway.
            services.AddHostedService(sp => new AuditStream(sp.GetRequiredKeyedService<IAuditStore>(StoreServices.AuditTrail), stream, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AuditStream>>()));
        }
    }

    /// <summary>Step 10: the clock-driven jobs; each runs on the node that holds the job lock (<see cref="ClockJob"/>).</summary>
    private static void AddJobs(IServiceCollection services)
    {
        services.AddSingleton<KeyDeletionJob>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyDeletionJob>());
        services.AddSingleton<KeyRotationJob>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyRotationJob>());
        services.AddSingleton<ImportExpiryJob>();
        services.AddHostedService(sp => sp.GetRequiredService<ImportExpiryJob>());
        services.AddSingleton<MultiRegionKeyJob>();
        services.AddHostedService(sp => sp.GetRequiredService<MultiRegionKeyJob>());
    }

    /// <summary>
    /// Step 11: the store migrated, the seal opened against it, then what the start writes: the
    /// development credentials, the configuration file's identities, the seed file's keys.
    /// </summary>
    private static async Task PrepareStoreAsync(IServiceProvider services, ServerSettings settings, CheckedSettings checkedSettings, (string Provider, string Location) storage, CancellationToken ct)
    {
        var store = services.GetRequiredService<IStore>();
        var time = services.GetRequiredService<TimeProvider>();
        await store.MigrateAsync(ct);
        var startupLogger = services.GetRequiredService<ILogger<KmsEndpoint>>();
        if (startupLogger.IsEnabled(LogLevel.Information))
        {
            startupLogger.StorageReady(storage.Provider, storage.Location);
        }

        LogListener(settings, checkedSettings.Tls, services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CitadelHost)));

        var opened = services.GetRequiredService<OpenedSeal>();
        (opened.Ring, var createdKeyFile) = await RootKeyCheck.OpenAsync(store, storage.Location, settings.DataDirectory, settings.RootKeyFile, settings.Pkcs11, start: true, time, ct);
        var seal = services.GetRequiredService<ISeal>();
        if (createdKeyFile is not null)
        {
            startupLogger.RootKeyCreated(createdKeyFile);
        }

        if (settings.Development)
        {
            await EnsureDevCredentialsAsync(settings, store, seal, time.GetUtcNow(), ct);
            await Xks.XksSetup.EnsureDevStoreAsync(store, seal, time, settings.DevAccountId, ct);
        }

        if (settings.Config is { } config)
        {
            await ConfigApplier.ApplyAsync(config, store, seal, time, ct);
        }

        if (checkedSettings.Seed is { } seed)
        {
            await Seeding.SeedApplier.ApplyAsync(seed, store, seal, services.GetRequiredService<KmsRuntime>().Time, startupLogger, ct);
        }

        if (settings.Config is { XksStores.Count: > 0 } xksConfig)
        {
            // After the seed file, which may create the keys the stores allow.
            await Xks.XksConfigApplier.ApplyAsync(xksConfig.XksStores, store, seal, time, ct);
        }
    }

    /// <summary>Step 12: the routes — forwarded headers and the development guard first, then metrics, health, ping, the KMS endpoint and the development endpoints.</summary>
    private static void MapEndpoints(WebApplication app, ServerSettings settings, CheckedSettings checkedSettings)
    {
        var kms = app.Services.GetRequiredService<KmsEndpoint>();
        if (settings.TrustedProxies.Count > 0)
        {
            // First, so that everything after it (the development guard, the KMS endpoint) sees the client.
            app.UseForwardedHeaders(ForwardedHeaders(settings.TrustedProxies));
        }

        if (settings.Development)
        {
            // Every route, the KMS endpoint included: the development secret is well known.
            app.Use(DevRequestGuard.For(settings.DevListenAnywhere));
        }

        // The XKS proxy API (AWS KMS external key stores), before the routes: its paths are the stores' URI prefixes.
        Xks.XksSetup.Map(app);
        MetricsSetup.Map(app, settings, checkedSettings.MetricsEndpoint);
        HealthEndpoints.Map(app);
        app.MapGet("/_citadel/ping", (HttpContext http) =>
        {
            http.Response.StatusCode = 200;
            return Task.CompletedTask;
        });
        // One endpoint for every protocol, as clients are given one endpoint URL: the JSON protocol (KMS, CloudTrail)
        // names its operation in X-Amz-Target; the query protocol (STS, IAM) sends a form-encoded body.
        var query = app.Services.GetRequiredService<QueryEndpoint>();
        RequestDelegate api = http => QueryEndpoint.IsQueryRequest(http.Request) ? query.HandleAsync(http) : kms.HandleAsync(http);
        // Every API call is a POST to /: answered here, ahead of routing, it costs no route match, and a call that waits
        // (for its audit event's sync) suspends no routing frame, each of which allocates for it (docs/audit.md,
        // "What a waiting request costs besides the sync"). Routing, after this, serves the other routes and answers 405 to another method on /.
        app.Use(next => http => IsApiCall(http.Request) ? api(http) : next(http));
        app.UseRouting();
        app.MapPost("/", api);
        if (settings.WebConsole)
        {
            WebConsole.ConsoleEndpoints.Map(app);
        }

        if (settings.Development)
        {
            DevEndpoints.Map(app);
        }
    }

    /// <summary>A call of the AWS protocols: POST to the root path, whatever its query string.</summary>
    internal static bool IsApiCall(HttpRequest request) => HttpMethods.IsPost(request.Method) && request.Path.Value == "/";

    private static async Task EnsureDevCredentialsAsync(ServerSettings settings, IStore store, ISeal seal, DateTimeOffset now, CancellationToken ct)
    {
        await store.CreateAccountAsync(settings.DevAccountId, now, ct);
        var existing = await store.FindAccessKeyAsync(settings.DevAccessKeyId, ct);
        var rootArn = Arns.AccountRoot(settings.DevAccountId);
        if (existing is not null && existing.AccountId == settings.DevAccountId && existing.PrincipalArn == rootArn
            && SecretSeal.Unseal(seal, existing.AccessKeyId, existing.SealedSecret).AsSpan().SequenceEqual(System.Text.Encoding.UTF8.GetBytes(settings.DevSecretAccessKey)))
        {
            return;
        }

        await store.PutAccessKeyAsync(
            new AccessKeyRecord(
                settings.DevAccessKeyId,
                settings.DevAccountId,
                rootArn,
                PrincipalType.Root,
                settings.DevAccountId,
                SecretSeal.Seal(seal, settings.DevAccessKeyId, settings.DevSecretAccessKey),
                now),
            ct);
    }

    private static readonly List<SslApplicationProtocol> ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    /// <summary>The certificate files, checked before anything is created; null for plain HTTP.</summary>
    private static TlsCertificate? LoadTls(ServerSettings settings)
    {
        if (settings.TlsCertificateFile is null && settings.TlsKeyFile is null)
        {
            return null;
        }

        if (settings.TlsCertificateFile is null || settings.TlsKeyFile is null)
        {
            throw new InvalidOperationException("TLS needs both a certificate file and its private key file: tls.certificateFile and tls.keyFile in the configuration file (or --tls-cert and --tls-key).");
        }

        return TlsCertificate.Load(Path.GetFullPath(settings.TlsCertificateFile), Path.GetFullPath(settings.TlsKeyFile), TimeProvider.System);
    }

    /// <summary>The XKS client certificate authorities (mutual TLS), checked before anything is created; null when off.</summary>
    private static Xks.XksClientCertificates? LoadXksClients(ServerSettings settings, TlsCertificate? tls)
    {
        if (settings.XksClientCaFile is null)
        {
            return settings.XksClientSubjectNames.Count == 0 ? null : throw new InvalidOperationException("xks.mutualTls.subjectNames needs xks.mutualTls.caFile: the PEM file of the certificate authorities client certificates must chain to.");
        }

        if (tls is null)
        {
            throw new InvalidOperationException("xks.mutualTls needs TLS: set tls.certificateFile and tls.keyFile in the configuration file (or --tls-cert and --tls-key); client certificates are part of the TLS handshake.");
        }

        return Xks.XksClientCertificates.Load(Path.GetFullPath(settings.XksClientCaFile), settings.XksClientSubjectNames, TimeProvider.System);
    }

    private static void LogListener(ServerSettings settings, TlsCertificate? tls, ILogger logger)
    {
        if (tls is not null)
        {
            tls.UseLogger(logger);
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.TlsCertificateLoaded(Path.GetFullPath(settings.TlsCertificateFile!), tls.Certificate.Subject, tls.Certificate.NotAfter.ToUniversalTime());
            }

            tls.WarnIfExpired();
        }

        if (settings.Development && settings.DevListenAnywhere)
        {
            logger.DevelopmentListensOnEveryInterface(settings.Listen);
        }
    }

    /// <summary>
    /// X-Forwarded-For and X-Forwarded-Proto, believed from the trusted proxies only. Every hop is read
    /// from the right while the address that sent it is trusted (no ForwardLimit), so a chain of trusted
    /// proxies yields the client, and an address the client wrote at the left is never reached. Host is
    /// not taken from X-Forwarded-Host: SigV4 signs the Host the client sent, which the proxy passes on.
    /// </summary>
    internal static ForwardedHeadersOptions ForwardedHeaders(IReadOnlyList<IPNetwork> trusted)
    {
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto,
            ForwardLimit = null,
        };

        // The defaults trust loopback; only what the operator listed is trusted.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in trusted)
        {
            options.KnownIPNetworks.Add(network);
            if (network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                // A dual-stack listener ([::]) sees an IPv4 proxy as ::ffff:a.b.c.d; trusted in both forms.
                options.KnownIPNetworks.Add(new IPNetwork(network.BaseAddress.MapToIPv6(), network.PrefixLength + 96));
            }
        }

        return options;
    }

    /// <summary>The one line for a listen address another program holds.</summary>
    public static string AddressInUse(string listen) =>
        $"{listen} is in use by another program: stop it, or listen on another port (--listen, or listen: in the configuration file).";

    /// <summary>
    /// Binds the address once before anything is created, so a port in use fails the start before the
    /// data directory is touched (Kestrel binds only when the server starts, after the store is open).
    /// </summary>
    private static void EnsureFree(IPEndPoint endpoint, string listen)
    {
        if (endpoint.Port == 0)
        {
            return;
        }

        using var probe = new System.Net.Sockets.Socket(endpoint.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        if (!OperatingSystem.IsWindows())
        {
            // As Kestrel does on Unix: connections of a server just stopped (TIME_WAIT) do not hold
            // the port; a socket listening on it still does.
            probe.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);
        }

        try
        {
            probe.Bind(endpoint);
        }
        catch (System.Net.Sockets.SocketException exception) when (exception.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
        {
            throw new InvalidOperationException(AddressInUse(listen), exception);
        }
        catch (System.Net.Sockets.SocketException exception)
        {
            throw new InvalidOperationException($"cannot listen on {listen}: {exception.Message}. Choose an address of this machine (--listen, or listen: in the configuration file).", exception);
        }
    }

    internal static IPEndPoint ParseListen(string listen)
    {
        if (IPEndPoint.TryParse(listen, out var endpoint) && endpoint.Port != 0 || (listen.EndsWith(":0", StringComparison.Ordinal) && IPEndPoint.TryParse(listen, out endpoint)))
        {
            return endpoint!;
        }

        if (listen.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase) && int.TryParse(listen["localhost:".Length..], out var port))
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        throw new InvalidOperationException($"--listen must be an address and port such as 127.0.0.1:4599 or [::1]:4599, but was '{listen}'.");
    }
}
