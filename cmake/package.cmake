# package.cmake - the Debian package (issue #20; docs/package.md). `make package` configures build/debian with
# dpkg-buildflags and -DCMAKE_INSTALL_PREFIX=/usr and runs cpack there; tests/package/run.sh installs the result.
# Included at the end of CMakeLists.txt: the package holds exactly what the install() rules install - never kaigo-test,
# the benchmarks or the fuzz targets, which have none.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kaigo)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "kaigo developers <kaigo@example.invalid>")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "kaigo developers <kaigo@example.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # kaigo_<version>_<arch>.deb
# the synopsis, then the extended description (cpack indents it for the control file)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Long-Term Care Information Platform (介護情報基盤) server")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "kaigo shares Japan's long-term care insurance records - the insurance card,
certification documents, care plans - between municipalities, care managers,
providers, clinicians and the insured person. Every disclosure passes one gate
and is written to a tamper-evident audit log before any byte is sent.
介護保険被保険者証・要介護認定・ケアプランを共有する介護情報基盤のサーバーです。
The package runs it as the sandboxed systemd service kaigo.service (user kaigo);
its configuration is /etc/kaigo/kaigo.conf, its database /var/lib/kaigo.")

# Depends: the shared libraries from dpkg-shlibdeps, and what kaigo runs or reads by name: the CJK fonts of every
# printed PDF, poppler's pdfunite (a print batch's parts joined) and pdfinfo/pdftoppm (uploaded PDFs), and the tool
# that creates the user in postinst (systemd-sysusers, else adduser). zbarimg reads the QR codes of uploaded paper
# tokens; without it only that check is unavailable.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fonts-noto-cjk, poppler-utils, systemd | adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "zbar-tools")

# The layout is the configured prefix's (/usr): GNUInstallDirs' multiarch libdir and /etc for sysconfdir are chosen
# from it at configure time, and the binary reads <sysconfdir>/kaigo/kaigo.conf only when it runs from <prefix>/bin.
# DESTDIR staging because /etc/kaigo is an absolute destination.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES ON)
# man pages compressed as Debian ships them (gzip -9n: no name or time stamp, reproducible), in the staging tree only
set(CPACK_PRE_BUILD_SCRIPTS "${CMAKE_CURRENT_LIST_DIR}/package-man.cmake")
# directories cpack creates while staging: 0755 whatever the umask of the build
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# Control files: the conffile (dpkg keeps the administrator's edits on upgrade, removes the file on purge) and the
# maintainer scripts (packaging/postinst, prerm, postrm: the user, /var/lib/kaigo, the conffile's mode, systemd).
file(WRITE "${CMAKE_BINARY_DIR}/packaging/conffiles" "${CMAKE_INSTALL_FULL_SYSCONFDIR}/kaigo/kaigo.conf\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  "${CMAKE_BINARY_DIR}/packaging/conffiles"
  "${CMAKE_SOURCE_DIR}/packaging/postinst"
  "${CMAKE_SOURCE_DIR}/packaging/prerm"
  "${CMAKE_SOURCE_DIR}/packaging/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON) # scripts 0755, conffiles 0644 whatever their mode here

set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/package")
set(CPACK_OUTPUT_FILE_PREFIX "${CMAKE_BINARY_DIR}/package")
include(CPack)
