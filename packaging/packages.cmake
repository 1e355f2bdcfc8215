# Debian packages of the install rules (CPack, docs/operations.md "Packages"):
#   peek-common  the private platform library (lib/peek/libpeekcore.so.0) both others need
#   peek-server  the server, the bundled plugins, the systemd units, the peek user (postinst)
#   peek         the app (field, office, admin) with its desktop entries, icons and metainfo
#   peek-dev     the plugin SDK: the plugin API's headers, the library's link name and the CMake
#                package (find_package(Peek), peek_add_plugin; docs/plugins.md)
# `cpack -G DEB` in the build directory writes them (tests/check-packages.sh installs them).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME peek)
set(CPACK_PACKAGE_VENDOR "Peek")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Peek developers <dev@peek-platform.org>")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL common server app dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_BINARY_DIR}/core)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)

set(CPACK_DEBIAN_COMMON_PACKAGE_NAME peek-common)
set(CPACK_COMPONENT_COMMON_DESCRIPTION "platform library shared by the Peek server and app\nThe library of the Peek field and office platform that peek-server and the\npeek app both use. It is private to Peek (/usr/lib/peek).")

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME peek-server)
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "peek-common (= ${PROJECT_VERSION}), adduser")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/postinst ${CMAKE_SOURCE_DIR}/packaging/debian/prerm ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_COMPONENT_SERVER_DESCRIPTION "headless server of the Peek field and office platform\nThe Peek server runs the logic, field, office, agent and worker roles of an\ninstallation, with its bundled plugins and systemd units. It keeps its data\nin /var/lib/peek (SQLite) or in PostgreSQL.")

set(CPACK_DEBIAN_APP_PACKAGE_NAME peek)
set(CPACK_DEBIAN_APP_PACKAGE_DEPENDS "peek-common (= ${PROJECT_VERSION}), qml6-module-qtquick, qml6-module-qtquick-controls, qml6-module-qtquick-layouts, qml6-module-qtquick-templates, qml6-module-qtquick-window, qml6-module-qtquick-shapes, qml6-module-qtqml, qml6-module-qtqml-models, qml6-module-qtqml-workerscript, qml6-module-qtpositioning, libqt6svg6")
set(CPACK_COMPONENT_APP_DESCRIPTION "native field, office and admin app of the Peek platform\nThe touch field window for crews (it keeps working offline), the office\ndesktop window and the admin window of a Peek installation.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME peek-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# peek-server: peek_add_plugin packages a plugin with the installed server (peek-server package).
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "peek-common (= ${PROJECT_VERSION}), peek-server (= ${PROJECT_VERSION}), qt6-base-dev (>= 6.4), qt6-websockets-dev (>= 6.4), cmake (>= 3.21)")
set(CPACK_COMPONENT_DEV_DESCRIPTION "plugin SDK of the Peek field and office platform\nThe headers of the Peek plugin API, the link name of the platform library\nand the CMake package a plugin is built with: find_package(Peek) and\npeek_add_plugin(), which builds a plugin and its .peekplugin package.")

# Every package: its copyright, the changelog (gzip -9n, as Debian wants), its lintian overrides.
set(peek_changelog ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/packaging)
execute_process(COMMAND gzip -9nc ${CMAKE_SOURCE_DIR}/packaging/debian/changelog OUTPUT_FILE ${peek_changelog})
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/packaging/debian/changelog)
foreach(component common server app dev)
    string(TOUPPER ${component} upper)
    set(package ${CPACK_DEBIAN_${upper}_PACKAGE_NAME})
    install(FILES ${CMAKE_SOURCE_DIR}/packaging/debian/copyright ${peek_changelog}
            DESTINATION share/doc/${package} COMPONENT ${component})
    if(EXISTS ${CMAKE_SOURCE_DIR}/packaging/debian/${package}.lintian-overrides)
        install(FILES ${CMAKE_SOURCE_DIR}/packaging/debian/${package}.lintian-overrides
                DESTINATION share/lintian/overrides RENAME ${package} COMPONENT ${component})
    endif()
endforeach()
# The manual pages (packaging/man), gzip -9n like the changelog.
foreach(page peek-server:server peek:app)
    string(REPLACE ":" ";" parts ${page})
    list(GET parts 0 name)
    list(GET parts 1 component)
    execute_process(COMMAND gzip -9nc ${CMAKE_SOURCE_DIR}/packaging/man/${name}.1
                    OUTPUT_FILE ${CMAKE_BINARY_DIR}/packaging/${name}.1.gz)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/packaging/man/${name}.1)
    install(FILES ${CMAKE_BINARY_DIR}/packaging/${name}.1.gz DESTINATION share/man/man1 COMPONENT ${component})
endforeach()

include(CPack)
