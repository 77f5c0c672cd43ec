using System.Diagnostics;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Citadel.Server.Hosting;
using Citadel.Storage;
using Citadel.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Citadel.EndToEnd.Tests;

/// <summary>The store contracts the server resolves (StoreServices.AddCitadelStore registers the store under each).</summary>
public interface IServerStore : IStore, IAuditStore, IStoreStatistics;

/// <summary>
/// The development server's SQLite store with one method made to throw, as a store that went down
/// (or holds damaged rows) does. The exception's message carries <see cref="Detail"/>, which must
/// reach no client and no audit event.
/// </summary>
public class FaultyStore : DispatchProxy
{
    public const string Detail = "connection to /var/lib/citadel-private-4f2a refused";

    private object _inner = null!;
    private string _failing = "";
    private bool _hang;

    /// <summary>Registers the store, failing every call of <paramref name="failingMethod"/>.</summary>
    public static Action<IServiceCollection> Failing(string failingMethod) => Register(failingMethod, hang: false);

    /// <summary>As <see cref="Failing"/>, but the call waits until its request is canceled, as a store that stopped answering does.</summary>
    public static Action<IServiceCollection> Hanging(string hangingMethod) => Register(hangingMethod, hang: true);

    private static Action<IServiceCollection> Register(string method, bool hang) => services =>
        services.AddCitadelStore(sp =>
        {
            var path = Path.Combine(sp.GetRequiredService<ServerSettings>().DataDirectory, "citadel.db");
            OwnerOnly.CreateFile(path);
            var proxy = Create<IServerStore, FaultyStore>();
            var faulty = (FaultyStore)(object)proxy;
            faulty._inner = new SqliteStore(path, durableSync: false);
            faulty._failing = method;
            faulty._hang = hang;
            return proxy;
        });

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        if (targetMethod!.Name == _failing)
        {
            if (_hang)
            {
                // The method's last argument is its CancellationToken; a faulted Task<T> of the right type is awaited like the real one.
                var ct = (CancellationToken)args![^1]!;
                var outcome = targetMethod.ReturnType.GetGenericArguments()[0];
                var wait = typeof(FaultyStore).GetMethod(nameof(WaitCanceledAsync), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(outcome);
                return wait.Invoke(null, [ct]);
            }

            throw new InvalidOperationException(Detail);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(exception.InnerException);
            throw;
        }
    }

    private static async Task<T> WaitCanceledAsync<T>(CancellationToken ct)
    {
        await Task.Delay(Timeout.Infinite, ct);
        throw new UnreachableException();
    }
}
