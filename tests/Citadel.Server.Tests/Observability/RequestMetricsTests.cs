using System.Diagnostics.Metrics;
using Citadel.Core.Errors;
using Citadel.Server.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citadel.Server.Tests.Observability;

[Trait("Issue", "22")]
public sealed class RequestMetricsTests
{
    [Fact]
    public void Recording_requests_allocates_nothing_while_metrics_are_listened_to_and_the_access_log_is_off()
    {
        using var listener = new MeterListener();
        long requests = 0;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CitadelMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) =>
        {
            if (instrument == CitadelMetrics.Requests && tags.Length > 0 && Equals(tags[0].Value, "Encrypt-alloc"))
            {
                Interlocked.Add(ref requests, value);
            }
        });
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => { });
        listener.Start();
        var metrics = new RequestMetrics(NullLoggerFactory.Instance);
        var operation = new OperationTags("Encrypt-alloc");
        void Run()
        {
            for (var i = 0; i < 100; i++)
            {
                metrics.Completed(operation, aborted: false, "request", "arn:principal", "arn:key", 200, null, TimeSpan.FromMilliseconds(1));
                metrics.Completed(operation, aborted: false, "request", "arn:principal", null, 400, KmsErrorCode.NotFound, TimeSpan.FromMilliseconds(1));
                metrics.Completed(operation, aborted: false, "request", "arn:principal", null, 400, KmsErrorCode.AccessDenied, TimeSpan.FromMilliseconds(1));
            }
        }

        var allocated = Allocations.OfWarmRun(Run);

        Assert.Equal(0, allocated);
        Assert.True(Interlocked.Read(ref requests) >= 600);
    }

    [Fact]
    public void An_error_is_labelled_with_its_AWS_name_and_the_same_label_set_is_reused()
    {
        var operation = new OperationTags("Decrypt");

        var first = operation.Failure(KmsErrorCode.InvalidCiphertext);
        var second = operation.Failure(KmsErrorCode.InvalidCiphertext);

        Assert.Same(first, second);
        Assert.Equal([new("operation", "Decrypt"), new("error", "InvalidCiphertextException")], first);
        Assert.Equal([new KeyValuePair<string, object?>("operation", "Decrypt")], operation.Success);
    }

    [Fact]
    public void The_access_log_line_is_written_in_its_own_category_at_information()
    {
        var provider = new ListProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Information));
        var metrics = new RequestMetrics(factory);

        metrics.Completed(new OperationTags("Encrypt"), aborted: false, "req-1", "arn:aws:iam::111122223333:root", "arn:aws:kms:us-east-1:111122223333:key/k", 200, null, TimeSpan.FromMilliseconds(1.5));
        metrics.Completed(new OperationTags("Sign"), aborted: true, "req-2", null, null, 200, null, TimeSpan.FromMilliseconds(2));

        Assert.Equal(
            [
                ("Citadel.Access", LogLevel.Information, "Encrypt 200 - 1.5 ms by arn:aws:iam::111122223333:root on arn:aws:kms:us-east-1:111122223333:key/k request req-1"),
                ("Citadel.Access", LogLevel.Information, "Sign 499 ClientClosedRequest 2 ms by - on - request req-2"),
            ],
            provider.Lines);
    }

    private sealed class ListProvider : ILoggerProvider
    {
        public List<(string Category, LogLevel Level, string Message)> Lines { get; } = [];

        public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class ListLogger(ListProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                provider.Lines.Add((category, logLevel, formatter(state, exception)));
        }
    }
}
