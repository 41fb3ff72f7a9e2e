import { expect, it } from 'vitest'
import { DEBIAN_PACKAGES, missingPackages } from './_apt.ts'

it('dpkg reports every package the bed needs as installed after bring-up, and an unknown one as missing', async () => {
  expect(await missingPackages()).toEqual([])
  expect(await missingPackages([...DEBIAN_PACKAGES, 'wt-testbed-no-such-package'])).toEqual([
    'wt-testbed-no-such-package',
  ])
})
