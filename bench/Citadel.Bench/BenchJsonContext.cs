using System.Text.Json.Serialization;

namespace Citadel.Bench;

[JsonSerializable(typeof(string))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
