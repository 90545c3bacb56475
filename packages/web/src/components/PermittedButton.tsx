import { Button, Tooltip, type ButtonProps } from '@mantine/core';
import type { ComponentPropsWithoutRef } from 'react';

type Props = ButtonProps &
  Omit<ComponentPropsWithoutRef<'button'>, keyof ButtonProps> & {
    /** Whether the signed-in role may perform this action. */
    allowed: boolean;
    /** Why not, shown as a tooltip on the disabled button. */
    reason: string;
  };

/**
 * A button for a role-restricted action: when the role may not perform it, the button is disabled
 * and a tooltip says why, so the action never fails on click.
 */
export function PermittedButton({ allowed, reason, disabled, ...rest }: Props) {
  if (allowed) return <Button disabled={disabled} {...rest} />;
  return (
    <Tooltip label={reason} withArrow>
      <span style={{ display: 'inline-block', cursor: 'not-allowed' }}>
        <Button {...rest} disabled style={{ pointerEvents: 'none' }} />
      </span>
    </Tooltip>
  );
}
