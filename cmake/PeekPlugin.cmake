# peek_add_plugin(): builds one Peek plugin. The same file serves the plugins built in Peek's own
# tree (plugins/, tests/plugins/) and, installed by the peek-dev package as part of
# find_package(Peek), plugins built on their own against the SDK (docs/plugins.md "Building
# outside Peek's tree"). It uses two targets either side defines:
#   Peek::pluginapi  the plugin API's headers and libpeekcore
#   Peek::server     peek-server, which makes the .peekplugin package
# and PEEK_PLUGIN_API_VERSION, the plugin API (MAJOR.MINOR) the platform offers.
#
# peek_add_plugin(<name> SOURCES ... [MIGRATIONS dir] [QML dir] [ICONS dir] [DATA dir ...]
#                 [API dir] [OUTPUT_DIR dir])
#
# MIGRATIONS, QML and ICONS name the folders of those (by convention migrations, qml, icons);
# DATA any other folders the plugin reads at run time. All are copied beside the library.
# API names the folder of the headers the plugin publishes to other plugins (api/): other
# plugins build on them with peek_use_plugin_api(<their target> <name>); installed, they go to
# include/peek/plugins/<name>/.
#
# peek_use_plugin_api(<target> <plugin>): <target> includes <plugin>'s published API headers
# ("inboxapi.h"), from this build or, outside it, from the SDK.
#
# <name> is the plugin's name as plugin.json (beside the calling CMakeLists.txt) says it. Builds
#   <output>/<name>/{lib<name>.so, plugin.json, <data dirs>}
# where <output> is OUTPUT_DIR, else PEEK_PLUGINS_OUTPUT_DIR, else <build>/plugins: the folder
# peek-server loads plugins from (PEEK_PLUGIN_PATH=<output>). The target <name>_package writes
# <build>/packages/<name>-<version>.peekplugin, the file `peek-server plugins install` and the
# admin window take. Plugins built into PEEK_PLUGINS_OUTPUT_DIR are installed to
# lib/peek/plugins/<name> (component PEEK_PLUGIN_INSTALL_COMPONENT when set), where an installed
# peek-server finds its bundled plugins.

if(NOT PEEK_PLUGINS_OUTPUT_DIR)
    set(PEEK_PLUGINS_OUTPUT_DIR ${CMAKE_BINARY_DIR}/plugins)
endif()

# Refuses, at configure time, a plugin.json the platform would refuse at load time.
function(_peek_check_plugin_json name file out_version)
    file(READ ${file} json)
    string(JSON json_name ERROR_VARIABLE error GET "${json}" name)
    if(error)
        message(FATAL_ERROR "${file}: ${error} (plugin.json must be a JSON object with \"name\", \"version\" and \"peekApi\")")
    endif()
    if(NOT json_name STREQUAL name)
        message(FATAL_ERROR "${file} names the plugin \"${json_name}\" but peek_add_plugin builds \"${name}\": use one name for both")
    endif()
    foreach(key version peekApi)
        string(JSON ${key} ERROR_VARIABLE error GET "${json}" ${key})
        if(error OR ${key} STREQUAL "")
            message(FATAL_ERROR "${file}: \"${key}\" is missing")
        endif()
    endforeach()
    if(NOT peekApi MATCHES "^([0-9]+)\\.([0-9]+)$")
        message(FATAL_ERROR "${file}: \"peekApi\" is \"${peekApi}\"; it must be MAJOR.MINOR, e.g. \"${PEEK_PLUGIN_API_VERSION}\"")
    endif()
    set(major ${CMAKE_MATCH_1})
    set(minor ${CMAKE_MATCH_2})
    string(REPLACE "." ";" offered "${PEEK_PLUGIN_API_VERSION}")
    list(GET offered 0 offered_major)
    list(GET offered 1 offered_minor)
    if(NOT major EQUAL offered_major OR minor GREATER offered_minor)
        message(FATAL_ERROR "${file}: the plugin needs plugin API ${peekApi}; this Peek offers ${PEEK_PLUGIN_API_VERSION}")
    endif()
    set(${out_version} ${version} PARENT_SCOPE)
endfunction()

# The plugin's views checked at build time with qmllint against the Peek module's types
# (PEEK_QML_IMPORT_DIR: the SDK's lib/peek/qml, or the app's module in Peek's own build): an
# unknown property, a misspelt type or a syntax error fails the build instead of the view in a
# field app. -DPEEK_QMLLINT=OFF skips it; without qmllint (qt6-declarative-dev-tools) it is skipped.
option(PEEK_QMLLINT "Check plugin views with qmllint at build time" ON)
function(_peek_lint_qml name dir)
    if(NOT PEEK_QMLLINT OR NOT PEEK_QML_IMPORT_DIR)
        return()
    endif()
    if(NOT PEEK_QMLLINT_EXECUTABLE)
        find_program(PEEK_QMLLINT_EXECUTABLE NAMES qmllint6 qmllint
            HINTS ${QT6_INSTALL_PREFIX}/${QT6_INSTALL_BINS} /usr/lib/qt6/bin)
    endif()
    if(NOT PEEK_QMLLINT_EXECUTABLE)
        message(STATUS "${name}: qmllint not found, views are not checked (install qt6-declarative-dev-tools)")
        return()
    endif()
    file(GLOB_RECURSE views CONFIGURE_DEPENDS ${dir}/*.qml)
    if(NOT views)
        return()
    endif()
    set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${name}_qmllint.stamp)
    add_custom_command(OUTPUT ${stamp}
        COMMAND ${PEEK_QMLLINT_EXECUTABLE} -I ${PEEK_QML_IMPORT_DIR} ${views}
        COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
        DEPENDS ${views} ${PEEK_QML_IMPORT_DEPENDS}
        COMMENT "Checking ${name}'s views with qmllint"
        VERBATIM)
    add_custom_target(${name}_qmllint ALL DEPENDS ${stamp})
    if(PEEK_QML_IMPORT_TARGET)
        add_dependencies(${name}_qmllint ${PEEK_QML_IMPORT_TARGET})
    endif()
endfunction()

function(peek_add_plugin name)
    cmake_parse_arguments(P "" "OUTPUT_DIR;MIGRATIONS;QML;ICONS;API" "SOURCES;DATA" ${ARGN})
    foreach(kind MIGRATIONS QML ICONS)
        if(P_${kind})
            list(APPEND P_DATA ${P_${kind}})
        endif()
    endforeach()
    if(P_UNPARSED_ARGUMENTS)
        message(FATAL_ERROR "peek_add_plugin(${name}): unknown arguments ${P_UNPARSED_ARGUMENTS}")
    endif()
    if(NOT P_OUTPUT_DIR)
        set(P_OUTPUT_DIR ${PEEK_PLUGINS_OUTPUT_DIR})
    endif()
    set(json ${CMAKE_CURRENT_SOURCE_DIR}/plugin.json)
    if(NOT EXISTS ${json})
        message(FATAL_ERROR "peek_add_plugin(${name}): ${json} is missing")
    endif()
    _peek_check_plugin_json(${name} ${json} version)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${json})

    set(out ${P_OUTPUT_DIR}/${name})
    add_library(${name} MODULE ${P_SOURCES})
    target_link_libraries(${name} PRIVATE Peek::pluginapi)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${out} PREFIX "lib" AUTOMOC ON)
    # PEEK_PLUGIN (peek/plugin.h) declares a Q_OBJECT class: moc must read files that use it.
    set_property(TARGET ${name} APPEND PROPERTY AUTOMOC_MACRO_NAMES PEEK_PLUGIN)
    # The plugin's name, written once: PEEK_PLUGIN_TUPLE names tuples "<name>.<Class>".
    target_compile_definitions(${name} PRIVATE PEEK_PLUGIN_NAME="${name}")
    # Data is copied on every build (cheap), so an edited migration or view is never stale.
    set(copies COMMAND ${CMAKE_COMMAND} -E copy_if_different ${json} ${out}/plugin.json)
    foreach(dir IN LISTS P_DATA)
        if(NOT IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${dir})
            message(FATAL_ERROR "peek_add_plugin(${name}): DATA ${dir} is not a folder of ${CMAKE_CURRENT_SOURCE_DIR}")
        endif()
        list(APPEND copies COMMAND ${CMAKE_COMMAND} -E copy_directory
            ${CMAKE_CURRENT_SOURCE_DIR}/${dir} ${out}/${dir})
    endforeach()
    add_custom_target(${name}_data ALL ${copies} COMMENT "Copying ${name}'s plugin.json and data")
    add_dependencies(${name} ${name}_data)

    if(P_QML)
        _peek_lint_qml(${name} ${CMAKE_CURRENT_SOURCE_DIR}/${P_QML})
    endif()

    # <name>_package: the plugin as a .peekplugin file (docs/administration.md), made by
    # peek-server package from what the build put in its folder.
    add_custom_target(${name}_package
        COMMAND $<TARGET_FILE:Peek::server> package ${out} --out ${CMAKE_BINARY_DIR}/packages
        BYPRODUCTS ${CMAKE_BINARY_DIR}/packages/${name}-${version}.peekplugin
        COMMENT "Packaging ${name} ${version}")
    add_dependencies(${name}_package ${name} Peek::server)
    if(NOT TARGET plugin-packages)
        add_custom_target(plugin-packages)
    endif()
    add_dependencies(plugin-packages ${name}_package)

    if(P_API)
        add_library(${name}_api INTERFACE)
        target_include_directories(${name}_api INTERFACE $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/${P_API}>)
    endif()

    if(NOT P_OUTPUT_DIR STREQUAL PEEK_PLUGINS_OUTPUT_DIR)
        return()
    endif()
    set(component)
    if(PEEK_PLUGIN_INSTALL_COMPONENT)
        set(component COMPONENT ${PEEK_PLUGIN_INSTALL_COMPONENT})
    endif()
    # lib/peek/plugins/<name>/ -> lib/peek, where libpeekcore is.
    set_target_properties(${name} PROPERTIES INSTALL_RPATH "$ORIGIN/../..")
    install(TARGETS ${name} LIBRARY DESTINATION lib/peek/plugins/${name} ${component})
    install(FILES ${json} DESTINATION lib/peek/plugins/${name} ${component})
    foreach(dir IN LISTS P_DATA)
        install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${dir} DESTINATION lib/peek/plugins/${name} ${component})
    endforeach()
    if(P_API)
        # With the SDK (peek-dev in Peek's own tree), for the plugins that build on this one.
        set(api_component)
        if(PEEK_PLUGIN_API_INSTALL_COMPONENT)
            set(api_component COMPONENT ${PEEK_PLUGIN_API_INSTALL_COMPONENT})
        endif()
        install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${P_API}/ DESTINATION include/peek/plugins/${name} ${api_component}
                FILES_MATCHING PATTERN "*.h")
    endif()
endfunction()

function(peek_use_plugin_api target plugin)
    if(TARGET ${plugin}_api)
        target_link_libraries(${target} PRIVATE ${plugin}_api)
    elseif(PEEK_PLUGIN_API_INCLUDE_DIR AND IS_DIRECTORY ${PEEK_PLUGIN_API_INCLUDE_DIR}/${plugin})
        target_include_directories(${target} PRIVATE ${PEEK_PLUGIN_API_INCLUDE_DIR}/${plugin})
    else()
        message(FATAL_ERROR "peek_use_plugin_api(${target} ${plugin}): ${plugin} publishes no API here "
                            "(not built in this project, and not in the SDK's include/peek/plugins)")
    endif()
endfunction()
