# PXE fleets (included by the top Makefile); see pxe/README.md.
#
#   make check-pxe        the generator's tests (unittest), nginx serving the
#                         generated site, the fleet page in headless Chromium
#   make bench-pxe-gen    generating 10,000 hosts: figures
#   make bench-pxe-http   50 hosts fetching their answerfile and the install
#                         set from the generated nginx at once: figures
#
# The end-to-end proof, a host installed over the network, is QEMU scenario
# 7-pxe-fleet (make check-qemu); make demo shows the same for a person.

PXE_DIR     := pxe
PXE_PY      := $(wildcard $(PXE_DIR)/xsraid_pxe/*.py) $(wildcard $(PXE_DIR)/tests/*.py) \
               $(wildcard $(PXE_DIR)/bench/*.py)
PXE_SCRIPTS := $(PXE_DIR)/serve tests/qemu/pxe.sh tests/qemu/pxe-demo.sh \
               tests/qemu/scenarios/7-pxe-fleet.sh

# What the hosts boot: the remastered installer image and the Xen and dom0
# kernel its ISO carries.  PXE_INSTALL_IMG is the one line to change when
# another remastered install.img is to be served.
PXE_INSTALL_IMG ?= $(QEMU_IMG_XSRAID)
PXE_XEN         ?= $(QEMU_BUILD)/iso-files/xen.gz
PXE_VMLINUZ     ?= $(QEMU_BUILD)/iso-files/vmlinuz
# lpxelinux.0 and the modules, from the pinned syslinux packages.
PXE_PXELINUX    := $(QEMU_BUILD)/pkgs/pxelinux/usr/lib/PXELINUX/lpxelinux.0
PXE_MODULES     := $(QEMU_BUILD)/pkgs/syslinux-common/usr/lib/syslinux/modules/bios

PXE_ENV = PXE_INSTALL_IMG=$(abspath $(PXE_INSTALL_IMG)) PXE_XEN=$(abspath $(PXE_XEN)) \
	PXE_VMLINUZ=$(abspath $(PXE_VMLINUZ)) PXE_PXELINUX=$(abspath $(PXE_PXELINUX)) \
	PXE_MODULES=$(abspath $(PXE_MODULES))

check-pxe: $(ASAN)/xsraid
	XSRAID=$(abspath $(ASAN)/xsraid) python3 -m unittest discover -s $(PXE_DIR)/tests -v

lint-pxe:
	python3 -m py_compile $(PXE_PY)
	shellcheck $(PXE_SCRIPTS)

bench-pxe-gen:
	python3 $(PXE_DIR)/bench/generate.py $(BUILD)/bench-pxe

bench-pxe-http: qemu-images
	$(PXE_ENV) python3 $(PXE_DIR)/bench/boot_storm.py $(BUILD)/bench-pxe-http

.PHONY: check-pxe lint-pxe bench-pxe-gen bench-pxe-http
