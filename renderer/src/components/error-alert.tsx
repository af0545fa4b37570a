import { Alert, Code, Text } from '@mantine/core';
import { toAppError } from '../../../shared/errors';
import { guiWords } from '../lib/gui-words';
import { AlertIcon } from './icons';

type ErrorAlertProps = {
  title: string;
  error: unknown;
  onClose?: () => void;
  testId?: string;
};

/**
 * Shows a failure as its contract error code plus the message from main (which says what was wrong and
 * what to do). The code is visible so people can search for it and report it exactly.
 */
export function ErrorAlert({ title, error, onClose, testId = 'error-alert' }: ErrorAlertProps) {
  const appError = toAppError(error);
  return (
    <Alert
      color="red"
      variant="light"
      title={title}
      icon={<AlertIcon size={18} />}
      withCloseButton={onClose !== undefined}
      onClose={onClose}
      closeButtonLabel="Dismiss"
      role="alert"
      data-testid={testId}
      data-error-code={appError.code}
    >
      <Text size="sm">
        <Code data-testid="error-code">{appError.code}</Code>{' '}
        <span data-testid="error-message">{guiWords(appError.message)}</span>
      </Text>
    </Alert>
  );
}
