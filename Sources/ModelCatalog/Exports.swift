// Every user of the catalog also speaks its shared value types (JSONValue, Rejection).
@_exported import PreflightCore
