#pragma once
// The plugin API: the headers in this folder are all a plugin may include from Peek
// (tests/check-layers.sh fails the build of a plugin that includes anything else of core,
// server or app). Each groups the classes of one subject:
//
//   peek/plugin.h      PeekPlugin, PluginRoleHook, PluginContext, PluginMetadata, Role, and the
//                      kit: PEEK_PLUGIN, LogicHook..., provideTuples, onAction, write, PluginSql
//   peek/tuple.h       TypedTuple and PEEK_TUPLE, the registry, TupleSelector, Value, dates
//   peek/action.h      action tuples, TupleActionProcessor and its typed delegates
//   peek/observable.h  TupleDataObservableHandler and its providers
//   peek/rpc.h         Rpc, rpcArgument<T>, continuations on a context (thenOn)
//   peek/task.h        Task, TaskHandle, TaskCall
//   peek/storage.h     Database, SQL helpers, Settings
//
// and, from every one of them, peek::Result<T> and peek::Error (base/result.h): how anything in
// the API that can fail says so (docs/architecture.md, "Errors").
//
// The API has a version (PEEK_API_VERSION_MAJOR/MINOR, peek::PluginApiVersion) that a plugin
// names in plugin.json ("peekApi"); what a minor version replaces is marked PEEK_DEPRECATED.
// docs/plugins.md is the guide.

#include "base/apiversion.h"
#include "base/export.h"
#include "base/result.h"
